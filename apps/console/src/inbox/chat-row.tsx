import type { MouseEvent } from 'react';
import type { ChatRow as ChatRowData } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { ChannelLogo } from '../ui/channel-logo';
import { formatListTime } from '../ui/format-time';

/** One chat in the list (L7): source, customer, last message, time, unread count, status. */
export function ChatRow({ chat, href, selected, onOpen }: { chat: ChatRowData; href: string; selected: boolean; onOpen(event: MouseEvent): void }) {
  const { t, tn, locale } = useI18n();
  return (
    <a className={`chat-row${selected ? ' chat-row--selected' : ''}${chat.unanswered ? ' chat-row--unanswered' : ''}`} href={href} onClick={onOpen} aria-current={selected ? 'page' : undefined} data-chat-id={chat.id}>
      <ChannelLogo channel={chat.source.channel} />
      <span className="chat-row__main">
        <span className="chat-row__top">
          <span className="chat-row__customer">{chat.customer.displayName}</span>
          <span className="chat-row__number">#{chat.number}</span>
          <time className="chat-row__time" dateTime={chat.lastMessageAt ?? undefined}>
            {formatListTime(chat.lastMessageAt, locale)}
          </time>
        </span>
        <span className="chat-row__bottom">
          <span className="chat-row__preview">{chat.lastMessagePreview ?? t('list.noPreview')}</span>
          <span className={`status-pill${chat.status.isClosed ? ' status-pill--closed' : ''}`}>{chat.status.name}</span>
          {chat.unreadCount > 0 && (
            <span className="badge" aria-label={tn('list.unread', chat.unreadCount)}>
              {chat.unreadCount}
            </span>
          )}
        </span>
      </span>
    </a>
  );
}
