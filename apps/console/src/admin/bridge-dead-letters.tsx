import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { BridgeDeadLettersQuery, ReplayBridgeDeadLettersMutation, type BridgeDeadLetterRow } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { formatFullTimestamp } from '../ui/format-time';
import { ApiErrorMessage } from './admin-form';
import { apiErrors } from './api-error';
import { replayOutcomes } from './replay-outcomes';
import { useAdminAction } from './use-admin-action';

/** Newest first, this many (the API allows 500): more parked replies than this is an outage to fix first. */
const DEAD_LETTERS_SHOWN = 200;

type Outcome = BridgeDeadLetterRow & { replayed: boolean };

/**
 * Replies no bridge partner accepted after every attempt (time, chat, reason), to be replayed once the
 * partner is back: the admin selects some and "Повторити" queues them again. What became of each is
 * listed, as the API leaves out ids that were no longer dead letters (replayed meanwhile, say).
 */
export function BridgeDeadLetters() {
  const { t, locale } = useI18n();
  const [{ data, error, fetching }] = useQuery({ query: BridgeDeadLettersQuery, variables: { first: DEAD_LETTERS_SHOWN } });
  const [, replay] = useMutation(ReplayBridgeDeadLettersMutation);
  const action = useAdminAction();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const rows = data?.bridgeDeadLetters ?? [];
  // A selection of replies no longer listed (replayed elsewhere) must not be sent again.
  const chosen = rows.filter((row) => selected.has(row.commandId));
  const allChosen = rows.length > 0 && chosen.length === rows.length;
  const toggle = (commandId: string, on: boolean) =>
    setSelected((before) => {
      const next = new Set(before);
      if (on) next.add(commandId);
      else next.delete(commandId);
      return next;
    });
  const submit = async () => {
    setOutcomes(null);
    const requested = chosen;
    const result = await action.run(() => replay({ commandIds: requested.map((row) => row.commandId) }));
    if (!result) return;
    setOutcomes(replayOutcomes(requested, result.replayBridgeDeadLetters.replayedCommandIds));
    setSelected(new Set());
  };
  return (
    <section className="admin-section" aria-labelledby="bridge-dead-letters">
      <header className="admin-section__header">
        <h2 id="bridge-dead-letters">{t('dead.title')}</h2>
        <span className="app-header__spacer" />
        <button type="button" className="button button--primary" disabled={action.busy || chosen.length === 0} onClick={() => void submit()}>
          {t('dead.replay')}
        </button>
      </header>
      <p className="muted">{t('dead.hint')}</p>
      <ApiErrorMessage errors={action.errors} />
      {outcomes && (
        <ul className="dead-letters__outcomes" role="status">
          {outcomes.map((outcome) => (
            <li key={outcome.commandId} className={outcome.replayed ? 'success' : 'error'} data-command-id={outcome.commandId}>
              {t(outcome.replayed ? 'dead.replayed' : 'dead.notReplayed', { chat: outcome.chatId })}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <div>
          <p className="error">{t('dead.unavailable')}</p>
          <ApiErrorMessage errors={apiErrors(error)} />
        </div>
      )}
      {fetching && !data && <p className="muted">{t('admin.loading')}</p>}
      {data && rows.length === 0 && <p className="muted">{t('dead.none')}</p>}
      {rows.length > 0 && (
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">
                <input type="checkbox" aria-label={t('dead.selectAll')} checked={allChosen} onChange={(event) => setSelected(new Set(event.target.checked ? rows.map((row) => row.commandId) : []))} />
              </th>
              <th scope="col">{t('dead.time')}</th>
              <th scope="col">{t('dead.bridge')}</th>
              <th scope="col">{t('dead.chat')}</th>
              <th scope="col">{t('dead.text')}</th>
              <th scope="col">{t('dead.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.commandId} data-command-id={row.commandId}>
                <td>
                  <input type="checkbox" aria-label={t('dead.selectOne', { chat: row.chatId })} checked={selected.has(row.commandId)} onChange={(event) => toggle(row.commandId, event.target.checked)} />
                </td>
                <td>{formatFullTimestamp(row.deadAt, locale)}</td>
                <td>{row.connection.name}</td>
                <td>{row.chatId}</td>
                <td className={row.text ? undefined : 'muted'}>{row.text ?? t('dead.noText')}</td>
                <td>
                  {row.lastError}
                  {row.lastStatus !== null && row.lastStatus !== undefined && <span className="admin-table__fact muted">{t('dead.lastStatus', { status: row.lastStatus })}</span>}
                  <span className="admin-table__fact muted">{t('dead.attempts', { count: row.attempts })}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
