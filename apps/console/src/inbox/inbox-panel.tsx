import { useCallback, useMemo, useRef } from 'react';
import { useI18n } from '../i18n/i18n-context';
import { useLiveChatEvents } from '../live/live-context';
import { toChatFilterVariables } from '../routing/chat-filters';
import { useLocation } from '../routing/router';
import { ChatList } from './chat-list';
import { ChatTypeTabs } from './chat-type-tabs';
import { FilterBar } from './filter-bar';
import { useChatFilters } from './use-chat-filters';
import { usePagedChats } from './use-paged-chats';

/** Bursts of live events (a busy chat) cost one refetch, not one per event. */
const LIVE_REFRESH_DEBOUNCE_MS = 250;

/** The left column of "Месенджери": filters, "Тип чату" tabs with counts, and the chat list. */
export function InboxPanel({ selectedChatId }: { selectedChatId: string | null }) {
  const { tn } = useI18n();
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

  return (
    <section className="inbox-panel" aria-label={tn('list.count', chats.totalCount ?? 0)}>
      <FilterBar filters={filters} onChange={setFilters} totalLabel={chats.totalCount === undefined ? '' : tn('list.count', chats.totalCount)} />
      <ChatTypeTabs selected={filters.type} counts={chats.counts} onSelect={(type) => setFilters({ ...filters, type })} />
      {chats.error && <p className="error">{chats.error}</p>}
      <ChatList rows={chats.rows} hasMore={chats.hasMore} loading={chats.loading} selectedId={selectedChatId} search={search} onLoadMore={chats.loadMore} />
    </section>
  );
}
