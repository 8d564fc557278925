import { useMutation, useQuery } from 'urql';
import { ChangeChatStatusMutation, InboxReferenceQuery } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';

/** C3: the chat's status; choosing another one changes it. */
export function StatusMenu({ chatId, statusCode, onError }: { chatId: string; statusCode: string; onError(message: string): void }) {
  const { t } = useI18n();
  const [{ data }] = useQuery({ query: InboxReferenceQuery });
  const [{ fetching }, changeStatus] = useMutation(ChangeChatStatusMutation);
  const statuses = data?.chatStatuses ?? [];
  return (
    <label className="status-menu">
      <span className="visually-hidden">{t('chat.status')}</span>
      <select
        aria-label={t('chat.status')}
        value={statusCode}
        disabled={fetching || statuses.length === 0}
        onChange={async (event) => {
          const result = await changeStatus({ chatId, statusCode: event.target.value });
          if (result.error) onError(result.error.graphQLErrors[0]?.message ?? result.error.message);
        }}
      >
        {statuses.length === 0 && <option value={statusCode}>{statusCode}</option>}
        {statuses.map((status) => (
          <option key={status.code} value={status.code}>
            {status.name}
          </option>
        ))}
      </select>
    </label>
  );
}
