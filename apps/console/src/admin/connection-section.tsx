import { useState, type ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { ConfirmDialog } from '../details/confirm-dialog';
import type { ConnectionHealth } from '../graphql/operations';
import type { Channel } from '../graphql/schema-types';
import { useI18n } from '../i18n/i18n-context';
import { ChannelLogo } from '../ui/channel-logo';
import { ApiErrorMessage } from './admin-form';
import { apiErrors } from './api-error';
import { ConnectionMembers } from './connection-members';
import { HealthSummary } from './health-summary';
import { useAdminAction } from './use-admin-action';

export interface ConnectionRow {
  id: string;
  name: string;
  /** Identifiers an admin recognises the account by (@bot, phone number, Page name...). */
  facts: string[];
  state: 'ACTIVE' | 'ERROR' | 'DISCONNECTED';
  lastError: string | null;
  /** A problem the connection itself reports besides its state (e.g. Meta stopped sending webhooks). */
  warning?: string | null;
}

type MutationResult = Promise<{ error?: CombinedError | undefined; data?: unknown }>;

/**
 * One channel type on the connections page: its connections with state, health and members, a connect
 * form, and disconnect after a confirmation. The list is this section's own query, so one connector being down
 * empties only its section.
 */
export function ConnectionSection(props: {
  channel: Channel;
  title: string;
  rows: readonly ConnectionRow[];
  loading: boolean;
  error: CombinedError | undefined;
  health: readonly ConnectionHealth[] | undefined;
  onDisconnect(id: string): MutationResult;
  /** The connect form; it calls `done` with the new connection's name. Absent: connected elsewhere. */
  connectForm?: (done: (name: string) => void, cancel: () => void) => ReactNode;
  hint?: string;
}) {
  const { t, tn } = useI18n();
  const [connecting, setConnecting] = useState(false);
  const [connected, setConnected] = useState<string | null>(null);
  const healthById = new Map((props.health ?? []).map((entry) => [entry.connectionId, entry]));
  const headingId = `connections-${props.channel}`;
  return (
    <section className="admin-section" aria-labelledby={headingId} data-channel={props.channel}>
      <header className="admin-section__header">
        <ChannelLogo channel={props.channel} decorative />
        <h2 id={headingId}>{props.title}</h2>
        <span className="admin-section__count muted">{tn('conn.count', props.rows.length)}</span>
        <span className="app-header__spacer" />
        {props.connectForm && (
          <button
            type="button"
            className="button"
            aria-expanded={connecting}
            aria-label={t('conn.connectTitle', { channel: props.title })}
            onClick={() => {
              setConnected(null);
              setConnecting((open) => !open);
            }}
          >
            {t('conn.connect')}
          </button>
        )}
      </header>
      {props.hint && <p className="muted">{props.hint}</p>}
      {connecting &&
        props.connectForm?.(
          (name) => {
            setConnecting(false);
            setConnected(t('conn.connected', { name }));
          },
          () => setConnecting(false),
        )}
      {connected && (
        <p className="success" role="status">
          {connected}
        </p>
      )}
      {props.error && (
        <div>
          <p className="error">{t('conn.unavailable')}</p>
          <ApiErrorMessage errors={apiErrors(props.error)} />
        </div>
      )}
      {props.loading && <p className="muted">{t('admin.loading')}</p>}
      {!props.loading && !props.error && props.rows.length === 0 && <p className="muted">{t('conn.none')}</p>}
      {props.rows.length > 0 && (
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">{t('conn.name')}</th>
              <th scope="col">{t('conn.state')}</th>
              <th scope="col">{t('conn.health')}</th>
              <th scope="col">{t('members.title')}</th>
              <th scope="col">{t('conn.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <ConnectionTableRow key={row.id} row={row} health={healthById.get(row.id)} onDisconnect={props.onDisconnect} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ConnectionTableRow({ row, health, onDisconnect }: { row: ConnectionRow; health: ConnectionHealth | undefined; onDisconnect(id: string): MutationResult }) {
  const { t } = useI18n();
  const action = useAdminAction();
  const [confirming, setConfirming] = useState(false);
  return (
    <tr data-connection-id={row.id} data-connection-state={row.state}>
      <td>
        <strong>{row.name}</strong>
        {row.facts.map((fact) => (
          <span key={fact} className="admin-table__fact muted">
            {fact}
          </span>
        ))}
      </td>
      <td>
        <span className={`connection-state connection-state--${row.state.toLowerCase()}`}>{t(`conn.state.${row.state}`)}</span>
        {row.lastError && <span className="admin-table__fact error">{row.lastError}</span>}
        {row.warning && <span className="admin-table__fact error">{row.warning}</span>}
      </td>
      <td>
        <HealthSummary health={health} />
      </td>
      <td>
        <ConnectionMembers connectionId={row.id} name={row.name} />
      </td>
      <td>
        {row.state !== 'DISCONNECTED' && (
          <button type="button" className="button button--danger" aria-label={t('conn.disconnectLabel', { name: row.name })} disabled={action.busy} onClick={() => setConfirming(true)}>
            {t('conn.disconnect')}
          </button>
        )}
        <ApiErrorMessage errors={action.errors} />
        {confirming && (
          <ConfirmDialog
            message={t('conn.disconnectConfirm', { name: row.name })}
            confirmLabel={t('conn.confirmDisconnect')}
            cancelLabel={t('details.cancel')}
            onCancel={() => setConfirming(false)}
            onConfirm={() => {
              setConfirming(false);
              void action.run(() => onDisconnect(row.id));
            }}
          />
        )}
      </td>
    </tr>
  );
}
