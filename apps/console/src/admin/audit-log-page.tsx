import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useClient, useQuery, type Client } from 'urql';
import {
  BridgeAuditLogQuery,
  ChatAuditLogQuery,
  EmployeesQuery,
  IdentityAuditLogQuery,
  MetaAuditLogQuery,
  TelegramAuditLogQuery,
  ViberAuditLogQuery,
  WhatsAppAuditLogQuery,
  type AuditEntryRow,
} from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { uk, type TextKey } from '../i18n/messages';
import { formatFullTimestamp } from '../ui/format-time';
import { AdminForm, ApiErrorMessage, Field } from './admin-form';
import { apiErrors, type ApiError } from './api-error';
import { AUDIT_PAGE_SIZE, AUDIT_SOURCES, auditFilterProblems, describeDetails, mergeAuditLog, nextCursor, type AuditSource, type SourceState } from './audit-merge';

/** The action codes the services record today; the filter suggests them and still takes any other. */
const KNOWN_ACTIONS = Object.keys(uk)
  .filter((key) => key.startsWith('audit.action.'))
  .map((key) => key.slice('audit.action.'.length));

interface AuditVariables {
  first: number;
  before?: string;
  action?: string;
  targetId?: string;
}

/** Each service's log is its own query: one service being down empties only its part of the list. */
function askPage(client: Client, source: AuditSource, variables: AuditVariables) {
  const options = { requestPolicy: 'network-only' } as const;
  switch (source) {
    case 'identity':
      return client.query(IdentityAuditLogQuery, variables, options).toPromise();
    case 'chat':
      return client.query(ChatAuditLogQuery, variables, options).toPromise();
    case 'telegram':
      return client.query(TelegramAuditLogQuery, variables, options).toPromise();
    case 'viber':
      return client.query(ViberAuditLogQuery, variables, options).toPromise();
    case 'whatsapp':
      return client.query(WhatsAppAuditLogQuery, variables, options).toPromise();
    case 'meta':
      return client.query(MetaAuditLogQuery, variables, options).toPromise();
    case 'bridge':
      return client.query(BridgeAuditLogQuery, variables, options).toPromise();
  }
}

interface LoadedSource extends SourceState<AuditEntryRow> {
  errors: ApiError[] | null;
}
type Loaded = Partial<Record<AuditSource, LoadedSource>>;

interface Filter {
  source: AuditSource | 'all';
  action: string;
  targetId: string;
}

const hasText = (key: string): key is TextKey => Object.prototype.hasOwnProperty.call(uk, key);

/**
 * "Журнал дій": the admin actions every service recorded, merged newest first into one table (time, who,
 * action, subject, details). Filters are the ones the services' APIs take (service, action code, subject
 * id); "Показати ще" asks each service for its next page only where the merged list needs it.
 */
export function AuditLogPage() {
  const { t, locale } = useI18n();
  const client = useClient();
  const [{ data: people }] = useQuery({ query: EmployeesQuery });
  const [draft, setDraft] = useState<Filter>({ source: 'all', action: '', targetId: '' });
  const [problems, setProblems] = useState<ReturnType<typeof auditFilterProblems>>({});
  // A new object on every "Показати", so asking again with the same filter reloads.
  const [applied, setApplied] = useState<Filter>(draft);
  const [loaded, setLoaded] = useState<Loaded>({});
  // The first pages are asked for as the page opens.
  const [loading, setLoading] = useState(true);
  // Answers for an earlier filter arriving late are dropped.
  const generation = useRef(0);

  const load = useCallback(
    async (sources: readonly AuditSource[], filter: Filter, from: Loaded, run: number) => {
      setLoading(true);
      const answers = await Promise.all(
        sources.map(async (source) => {
          const before = nextCursor(from[source]?.entries ?? []);
          const variables: AuditVariables = {
            first: AUDIT_PAGE_SIZE,
            ...(before ? { before } : {}),
            ...(filter.action ? { action: filter.action } : {}),
            ...(filter.targetId ? { targetId: filter.targetId } : {}),
          };
          return [source, await askPage(client, source, variables)] as const;
        }),
      );
      if (run !== generation.current) return;
      setLoaded((current) => {
        const next = { ...current };
        for (const [source, result] of answers) {
          const prior = next[source]?.entries ?? [];
          if (result.error) {
            next[source] = { entries: prior, more: false, failed: true, errors: apiErrors(result.error) };
          } else {
            const page = result.data?.entries ?? [];
            next[source] = { entries: [...prior, ...page], more: page.length === AUDIT_PAGE_SIZE, failed: false, errors: null };
          }
        }
        return next;
      });
      setLoading(false);
    },
    [client],
  );

  useEffect(() => {
    const run = ++generation.current;
    setLoaded({});
    void load(applied.source === 'all' ? AUDIT_SOURCES : [applied.source], applied, {}, run);
  }, [applied, load]);

  const merged = useMemo(() => mergeAuditLog(loaded), [loaded]);
  const names = useMemo(() => new Map((people?.employees ?? []).map((employee) => [employee.id, employee.name])), [people]);
  const nameOf = (id: string) => names.get(id);

  const submit = () => {
    const found = auditFilterProblems(draft);
    setProblems(found);
    if (found.action || found.targetId) return;
    setApplied({ source: draft.source, action: draft.action.trim(), targetId: draft.targetId.trim() });
  };
  const label = (prefix: string, code: string) => {
    const key = `${prefix}${code}`;
    return hasText(key) ? t(key) : code;
  };

  return (
    <div className="admin-page">
      <section className="admin-section" aria-labelledby="audit-log-heading">
        <header className="admin-section__header">
          <h2 id="audit-log-heading">{t('admin.page.audit-log')}</h2>
        </header>
        <AdminForm label={t('audit.filters')} submitLabel={t('audit.apply')} busy={loading} errors={null} onSubmit={submit}>
          <Field label={t('audit.source')}>
            {(control) => (
              <select {...control} value={draft.source} onChange={(event) => setDraft({ ...draft, source: event.target.value as Filter['source'] })}>
                <option value="all">{t('audit.source.all')}</option>
                {AUDIT_SOURCES.map((source) => (
                  <option key={source} value={source}>
                    {t(`audit.source.${source}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('audit.filterAction')} problem={problems.action}>
            {(control) => <input {...control} list="audit-actions" autoComplete="off" value={draft.action} onChange={(event) => setDraft({ ...draft, action: event.target.value })} />}
          </Field>
          <datalist id="audit-actions">
            {KNOWN_ACTIONS.map((action) => (
              <option key={action} value={action} />
            ))}
          </datalist>
          <Field label={t('audit.filterTarget')} problem={problems.targetId}>
            {(control) => <input {...control} autoComplete="off" value={draft.targetId} onChange={(event) => setDraft({ ...draft, targetId: event.target.value })} />}
          </Field>
        </AdminForm>
        {AUDIT_SOURCES.map((source) =>
          loaded[source]?.errors ? (
            <div key={source} data-audit-source={source}>
              <p className="error">{t('audit.unavailable', { source: t(`audit.source.${source}`) })}</p>
              <ApiErrorMessage errors={loaded[source]?.errors ?? null} />
            </div>
          ) : null,
        )}
        {loading && merged.entries.length === 0 && <p className="muted">{t('admin.loading')}</p>}
        {!loading && merged.entries.length === 0 && <p className="muted">{t('audit.none')}</p>}
        {merged.entries.length > 0 && (
          <table className="admin-table" aria-label={t('admin.page.audit-log')}>
            <thead>
              <tr>
                <th scope="col">{t('audit.time')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.subject')}</th>
                <th scope="col">{t('audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {merged.entries.map((entry) => (
                <tr key={entry.key} data-audit-source={entry.source} data-action={entry.action}>
                  <td>{formatFullTimestamp(entry.occurredAt, locale)}</td>
                  <td>
                    {entry.actorId ? (nameOf(entry.actorId) ?? entry.actorId) : t('audit.system')}
                    {/* Services record the role in lower case (admin); the console's labels are keyed by the GraphQL enum. */}
                    {entry.actorRole && <span className="admin-table__fact muted">{label('emp.role.', entry.actorRole.toUpperCase())}</span>}
                  </td>
                  <td>
                    {label('audit.action.', entry.action)}
                    <span className="admin-table__fact muted">{entry.action}</span>
                  </td>
                  <td>
                    {label('audit.target.', entry.targetType)}
                    <span className="admin-table__fact">{nameOf(entry.targetId) ?? entry.targetId}</span>
                  </td>
                  <td className="audit-log__details">{describeDetails(entry.details, nameOf)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {merged.next.length > 0 && (
          <div className="admin-page__toolbar">
            <button type="button" className="button" disabled={loading} onClick={() => void load(merged.next, applied, loaded, generation.current)}>
              {t('audit.more')}
            </button>
          </div>
        )}
      </section>
    </div>
  );
}
