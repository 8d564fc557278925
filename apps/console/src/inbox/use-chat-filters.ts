import { useCallback, useMemo } from 'react';
import { formatChatFilters, parseChatFilters, type ChatFilterState } from '../routing/chat-filters';
import { navigate, useLocation } from '../routing/router';

/** The list's filters live in the URL: a view can be shared, bookmarked and reloaded. */
export function useChatFilters(): [ChatFilterState, (next: ChatFilterState) => void] {
  const { pathname, search } = useLocation();
  const filters = useMemo(() => parseChatFilters(search), [search]);
  const setFilters = useCallback(
    // Replace, not push: Back should leave the inbox, not undo every click in the filter block.
    (next: ChatFilterState) => navigate(pathname + formatChatFilters(next), { replace: true }),
    [pathname],
  );
  return [filters, setFilters];
}
