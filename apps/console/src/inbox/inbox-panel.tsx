import { useCallback, useMemo, useRef } from 'react';
import { useI18n } from '../i18n/i18n-context';
import { useLiveChatEvents } from '../live/live-context';
import { toChatFilterVariables } from '../routing/chat-filters';
import { useLocation } from '../routing/router';
import { ChatList } from './chat-list';
import { COUNT_OF, ChatTypeTabs } from './chat-type-tabs';
import { FilterBar } from './filter-bar';
import { useChatFilters } from './use-chat-filters';
import { COUNTS_UP_TO, usePagedChats } from './use-paged-chats';

/** Bursts of live events (a busy chat) cost one refetch, not one per event. */
const LIVE_REFRESH_DEBOUNCE_MS = 250;

/** The left column of "Месенджери": filters, "Тип чату" tabs with counts, and the chat list. */
export function InboxPanel({ selectedChatId }: { selectedChatId: string | null }) {
  const { t, tn } = useI18n();
  const { search } = useLocation();
  const [filters, setFilters] = useChatFilters();
  const variables = useMemo(() => toChatFilterVariables(filters), [filters]);
  const chats = usePagedChats(variables);

  const pending = useRef<{ chatIds: Set<string>; timer?: ReturnType<typeof setTimeout> }>({ chatIds: new Set() });
  const { refresh } = chats;
  const scheduleRefresh = useCallback(
    (chatId: string | null | undefined) => {
      const batch = pending.current;
      if (chatId) batch.chatIds.add(chatId);
      if (batch.timer) return;
      batch.timer = setTimeout(() => {
        const chatIds = [...batch.chatIds];
        pending.current = { chatIds: new Set() };
        refresh(chatIds);
      }, LIVE_REFRESH_DEBOUNCE_MS);
    },
    [refresh],
  );
  useLiveChatEvents(
    (event) => scheduleRefresh(event.chatId),
    () => scheduleRefresh(null),
  );

  // The selected tab's count is the list's total; a count at the cap means "at least".
  const total = chats.counts?.[COUNT_OF[filters.type]];
  const totalLabel = total === undefined ? '' : total >= COUNTS_UP_TO ? t('list.countAtLeast', { count: COUNTS_UP_TO }) : tn('list.count', total);
  return (
    <section className="inbox-panel" aria-label={totalLabel || tn('list.count', 0)}>
      <FilterBar filters={filters} onChange={setFilters} totalLabel={totalLabel} />
      <ChatTypeTabs selected={filters.type} counts={chats.counts} onSelect={(type) => setFilters({ ...filters, type })} />
      {chats.error && <p className="error">{chats.error}</p>}
      <ChatList rows={chats.rows} hasMore={chats.hasMore} loading={chats.loading} selectedId={selectedChatId} search={search} onLoadMore={chats.loadMore} />
    </section>
  );
}
