import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ChatStatusesQuery, CreateChatStatusMutation, ReorderChatStatusesMutation, UpdateChatStatusMutation, type ChatStatusRow } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { AdminForm, ApiErrorMessage, Field } from './admin-form';
import { apiErrors } from './api-error';
import { moveCode } from './reorder';
import { useAdminAction } from './use-admin-action';
import { hasProblems, statusNameProblem, statusProblems, type FormProblems } from './validation';

/** C3's configurable status list: add, rename, reorder, mark closed. Codes never change (events carry them). */
export function StatusesPage() {
  const { t, tn } = useI18n();
  const [{ data, error, fetching }] = useQuery({ query: ChatStatusesQuery });
  const [, reorder] = useMutation(ReorderChatStatusesMutation);
  const action = useAdminAction();
  const statuses = data?.chatStatuses ?? [];
  const codes = statuses.map((status) => status.code);

  const move = (code: string, delta: -1 | 1) => {
    const next = moveCode(codes, code, delta);
    if (next) void action.run(() => reorder({ codes: next }));
  };

  return (
    <div className="admin-page">
      <section className="admin-section" aria-labelledby="statuses-heading">
        <header className="admin-section__header">
          <h2 id="statuses-heading">{t('admin.page.statuses')}</h2>
          <span className="muted">{t('st.closedHint')}</span>
          <span className="admin-section__count muted">{tn('st.count', statuses.length)}</span>
        </header>
        {error && <ApiErrorMessage errors={apiErrors(error)} />}
        {fetching && !data && <p className="muted">{t('admin.loading')}</p>}
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">{t('st.position')}</th>
              <th scope="col">{t('st.code')}</th>
              <th scope="col">{t('st.name')}</th>
              <th scope="col">{t('st.closed')}</th>
              <th scope="col">{t('st.order')}</th>
            </tr>
          </thead>
          <tbody>
            {statuses.map((status, index) => (
              <tr key={status.code} data-status-code={status.code}>
                <td>{status.position}</td>
                <td>
                  <code>{status.code}</code>
                </td>
                <td>
                  <StatusName status={status} />
                </td>
                <td>
                  <ClosedToggle status={status} />
                </td>
                <td className="admin-table__buttons">
                  <button type="button" className="button" aria-label={t('st.moveUp', { name: status.name })} disabled={action.busy || index === 0} onClick={() => move(status.code, -1)}>
                    ↑
                  </button>
                  <button
                    type="button"
                    className="button"
                    aria-label={t('st.moveDown', { name: status.name })}
                    disabled={action.busy || index === statuses.length - 1}
                    onClick={() => move(status.code, 1)}
                  >
                    ↓
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <ApiErrorMessage errors={action.errors} />
      </section>
      <NewStatusForm />
    </div>
  );
}

function StatusName({ status }: { status: ChatStatusRow }) {
  const { t } = useI18n();
  const [, update] = useMutation(UpdateChatStatusMutation);
  const action = useAdminAction();
  const [name, setName] = useState(status.name);
  const problem = statusNameProblem(name);
  const changed = name.trim() !== status.name;
  return (
    <form
      className="admin-inline"
      onSubmit={(event) => {
        event.preventDefault();
        if (!problem && changed) void action.run(() => update({ input: { code: status.code, name: name.trim() } }));
      }}
    >
      <input aria-label={t('st.renameLabel', { code: status.code })} value={name} maxLength={60} aria-invalid={Boolean(problem)} onChange={(event) => setName(event.target.value)} />
      <button type="submit" className="button" disabled={action.busy || Boolean(problem) || !changed}>
        {t('admin.save')}
      </button>
      {problem && <span className="error">{t(problem)}</span>}
      <ApiErrorMessage errors={action.errors} />
    </form>
  );
}

function ClosedToggle({ status }: { status: ChatStatusRow }) {
  const { t } = useI18n();
  const [, update] = useMutation(UpdateChatStatusMutation);
  const action = useAdminAction();
  return (
    <>
      <input
        type="checkbox"
        aria-label={t('st.closedLabel', { name: status.name })}
        checked={status.isClosed}
        disabled={action.busy}
        onChange={(event) => void action.run(() => update({ input: { code: status.code, isClosed: event.target.checked } }))}
      />
      <ApiErrorMessage errors={action.errors} />
    </>
  );
}

function NewStatusForm() {
  const { t } = useI18n();
  const [, create] = useMutation(CreateChatStatusMutation);
  const action = useAdminAction();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [isClosed, setIsClosed] = useState(false);
  const [problems, setProblems] = useState<FormProblems<'code' | 'name'>>({});
  const [created, setCreated] = useState<string | null>(null);
  const submit = async () => {
    const found = statusProblems({ code, name });
    setProblems(found);
    setCreated(null);
    if (hasProblems(found)) return;
    const data = await action.run(() => create({ input: { code, name: name.trim(), isClosed } }));
    if (!data) return;
    setCreated(t('st.created', { name: data.createChatStatus.name }));
    setCode('');
    setName('');
    setIsClosed(false);
  };
  return (
    <section className="admin-section" aria-labelledby="new-status-heading">
      <h2 id="new-status-heading">{t('st.add')}</h2>
      <AdminForm label={t('st.add')} submitLabel={t('st.add')} busy={action.busy} errors={action.errors} onSubmit={() => void submit()}>
        <Field label={t('st.code')} problem={problems.code}>
          {(control) => <input {...control} value={code} maxLength={40} placeholder="awaiting_payment" onChange={(event) => setCode(event.target.value)} />}
        </Field>
        <Field label={t('st.name')} problem={problems.name}>
          {(control) => <input {...control} value={name} maxLength={60} onChange={(event) => setName(event.target.value)} />}
        </Field>
        <label className="admin-form__check">
          <input type="checkbox" checked={isClosed} onChange={(event) => setIsClosed(event.target.checked)} />
          {t('st.closed')}
        </label>
      </AdminForm>
      {created && (
        <p className="success" role="status">
          {created}
        </p>
      )}
    </section>
  );
}
