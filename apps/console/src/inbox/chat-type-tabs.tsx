import type { ChatListCounts } from '../graphql/operations';
import type { ChatListType } from '../graphql/schema-types';
import { useI18n } from '../i18n/i18n-context';
import { CHAT_LIST_TYPES } from '../routing/chat-filters';
import { COUNTS_UP_TO } from './use-paged-chats';

/** Which count each tab shows. */
export const COUNT_OF: Record<ChatListType, keyof Omit<ChatListCounts, '__typename'>> = {
  ALL: 'all',
  UNASSIGNED: 'unassigned',
  ASSIGNED_TO_ME: 'assignedToMe',
  UNANSWERED: 'unanswered',
};

/** "Тип чату" (L2) as tabs, each with how many chats it would show under the other filters. */
export function ChatTypeTabs({ selected, counts, onSelect }: { selected: ChatListType; counts: ChatListCounts | undefined; onSelect(type: ChatListType): void }) {
  const { t } = useI18n();
  return (
    <div className="chat-type-tabs" role="tablist" aria-label={t('filters.chatType')}>
      {CHAT_LIST_TYPES.map((type) => (
        <button key={type} type="button" role="tab" aria-selected={selected === type} className="chat-type-tab" onClick={() => onSelect(type)}>
          {t(`filters.type.${type}`)}
          {counts && <span className="chat-type-tab__count">{counts[COUNT_OF[type]] >= COUNTS_UP_TO ? `${COUNTS_UP_TO}+` : counts[COUNT_OF[type]]}</span>}
        </button>
      ))}
    </div>
  );
}
