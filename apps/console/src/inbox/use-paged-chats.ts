import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useClient } from 'urql';
import { ChatsQuery, type ChatListCounts, type ChatRow } from '../graphql/operations';
import type { ChatFilterVariables } from '../routing/chat-filters';

/** The API's largest page of chats. */
export const CHAT_PAGE_SIZE = 100;
/**
 * The tab counts stop here ("1000+"): an exact count reads every matching chat, seconds for a common
 * keyword in a large inbox, while a capped one costs about a list page of that size (decision 0050).
 */
export const COUNTS_UP_TO = 1000;

interface Page {
  after: string | null;
  rows: ChatRow[];
  counts?: ChatListCounts;
  hasNextPage: boolean;
  endCursor: string | null;
  loaded: boolean;
  error?: string;
}

export interface PagedChats {
  rows: ChatRow[];
  /** The tab counts under the other filters, each at most COUNTS_UP_TO (read from the first page only). */
  counts: ChatListCounts | undefined;
  hasMore: boolean;
  loading: boolean;
  error: string | undefined;
  loadMore(): void;
  /** Refetches the first page (where new activity lands) and every page holding one of `chatIds`. */
  refresh(chatIds?: Iterable<string>): void;
}

/**
 * The chat list, page by page as the operator scrolls. Each loaded page stays subscribed to the normalised
 * cache, so a chat changed anywhere (its view, a mutation, a refetch) is current in the list too. A chat
 * that moved to the top after a refresh may still sit in an older page: rows are de-duplicated by id.
 */
export function usePagedChats(filter: ChatFilterVariables): PagedChats {
  const client = useClient();
  const filterKey = JSON.stringify(filter);
  const [pages, setPages] = useState<Page[]>([]);
  const subscriptions = useRef<{ unsubscribe(): void }[]>([]);

  const openPage = useCallback(
    (index: number, after: string | null) => {
      setPages((current) => {
        const next = current.slice(0, index);
        next[index] = { after, rows: [], hasNextPage: false, endCursor: null, loaded: false };
        return next;
      });
      const variables = chatsVariables(JSON.parse(filterKey) as ChatFilterVariables, after);
      subscriptions.current[index] = client.query(ChatsQuery, variables).subscribe((result) => {
        setPages((current) => {
          if (!current[index] || current[index]!.after !== after) return current;
          const next = current.slice();
          const chats = result.data?.chats;
          next[index] = chats
            ? {
                after,
                rows: chats.edges.map((edge) => edge.node),
                ...(chats.counts ? { counts: chats.counts } : {}),
                hasNextPage: chats.pageInfo.hasNextPage,
                endCursor: chats.pageInfo.endCursor ?? null,
                loaded: true,
              }
            : { ...current[index]!, loaded: !result.stale, ...(result.error ? { error: result.error.message } : {}) };
          return next;
        });
      });
    },
    [client, filterKey],
  );

  useEffect(() => {
    openPage(0, null);
    const opened = subscriptions.current;
    return () => {
      for (const subscription of opened) subscription?.unsubscribe();
      opened.length = 0;
    };
  }, [openPage]);

  const last = pages[pages.length - 1];
  const loadMore = useCallback(() => {
    if (!last || !last.loaded || !last.hasNextPage || !last.endCursor) return;
    openPage(pages.length, last.endCursor);
  }, [last, pages.length, openPage]);

  const pagesRef = useRef(pages);
  pagesRef.current = pages;
  const refresh = useCallback(
    (chatIds: Iterable<string> = []) => {
      const wanted = new Set(chatIds);
      const filterVariables = JSON.parse(filterKey) as ChatFilterVariables;
      pagesRef.current.forEach((page, index) => {
        if (index > 0 && !page.rows.some((row) => wanted.has(row.id))) return;
        // The result lands in the cache, which the page's own subscription then re-reads.
        void client.query(ChatsQuery, chatsVariables(filterVariables, page.after), { requestPolicy: 'network-only' }).toPromise();
      });
    },
    [client, filterKey],
  );

  const rows = useMemo(() => {
    const seen = new Set<string>();
    const all: ChatRow[] = [];
    for (const page of pages) {
      for (const row of page.rows) {
        if (seen.has(row.id)) continue;
        seen.add(row.id);
        all.push(row);
      }
    }
    return all;
  }, [pages]);

  const first = pages[0];
  return {
    rows,
    counts: first?.counts,
    hasMore: Boolean(last?.hasNextPage),
    loading: pages.some((page) => !page.loaded),
    error: pages.find((page) => page.error)?.error,
    loadMore,
    refresh,
  };
}

/** Only the first page asks for the tab counts: later pages would count the same chats again. */
function chatsVariables(filter: ChatFilterVariables, after: string | null) {
  return { filter, first: CHAT_PAGE_SIZE, after, withCounts: after === null, countsUpTo: COUNTS_UP_TO };
}
