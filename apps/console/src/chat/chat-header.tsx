import { useState } from 'react';
import { useMutation } from 'urql';
import { TakeChatIntoWorkMutation, type ChatDetails } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { ChannelLogo } from '../ui/channel-logo';
import { StatusMenu } from './status-menu';

/** C1-C6: who and where, the status, "В обробку", search inside the chat, and the detail panel's button. */
export function ChatHeader(props: { chat: ChatDetails; detailsOpen: boolean; onToggleDetails(): void; searchOpen: boolean; onToggleSearch(): void }) {
  const { chat, detailsOpen, onToggleDetails } = props;
  const { t } = useI18n();
  const [{ fetching }, takeIntoWork] = useMutation(TakeChatIntoWorkMutation);
  const [error, setError] = useState<string | null>(null);
  const { customer, source } = chat;
  return (
    <header className="chat-header">
      <ChannelLogo channel={source.channel} size={36} />
      <div className="chat-header__who">
        <h2 className="chat-header__title">
          {customer.displayName} <span className="chat-header__number">#{chat.number}</span>
        </h2>
        <p className="chat-header__meta">
          {customer.profileUrl ? (
            <a href={customer.profileUrl} target="_blank" rel="noreferrer noopener">
              {customer.username ? `@${customer.username}` : t('chat.profile')}
            </a>
          ) : (
            customer.username && <span>@{customer.username}</span>
          )}
          {customer.phone && <span>{customer.phone}</span>}
          <span>{t('chat.wroteTo', { source: source.displayName })}</span>
        </p>
      </div>
      <div className="chat-header__actions">
        <StatusMenu chatId={chat.id} statusCode={chat.status.code} onError={setError} />
        <button
          type="button"
          className="button button--primary"
          disabled={fetching}
          onClick={async () => {
            setError(null);
            const result = await takeIntoWork({ chatId: chat.id });
            if (result.error) setError(result.error.graphQLErrors[0]?.message ?? result.error.message);
          }}
        >
          {t('chat.takeIntoWork')}
        </button>
        <button type="button" className="button" aria-expanded={props.searchOpen} onClick={props.onToggleSearch}>
          {t('chat.search')}
        </button>
        <button type="button" className="button" aria-expanded={detailsOpen} onClick={onToggleDetails}>
          {t('chat.details')}
        </button>
      </div>
      {error && (
        <p className="error chat-header__error" role="alert">
          {error}
        </p>
      )}
    </header>
  );
}
