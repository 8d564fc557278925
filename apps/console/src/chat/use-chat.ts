import { useCallback, useEffect, useRef } from 'react';
import { useMutation, useQuery } from 'urql';
import { ChatQuery, MarkChatReadMutation } from '../graphql/operations';
import { useLiveChatEvents } from '../live/live-context';

/** The API's largest timeline page. */
const TIMELINE_PAGE = 200;
const LIVE_REFETCH_DEBOUNCE_MS = 150;
const LOAD_RETRIES = 3;

/**
 * One chat with its timeline, kept current by the live stream: any event about this chat refetches it
 * (the new message, a delivery tick, a status change by a colleague), and what the customer wrote is
 * marked read while the chat is open.
 */
export function useChat(chatId: string) {
  const [result, reexecute] = useQuery({ query: ChatQuery, variables: { id: chatId, first: TIMELINE_PAGE } });
  const [, markRead] = useMutation(MarkChatReadMutation);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const refetch = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => reexecute({ requestPolicy: 'network-only' }), LIVE_REFETCH_DEBOUNCE_MS);
  }, [reexecute]);
  useEffect(() => () => clearTimeout(timer.current), []);
  useLiveChatEvents((event) => {
    if (event.chatId === chatId && event.type !== 'chat.read') refetch();
  }, refetch);

  // A failed load (e.g. a subgraph connection reset) is retried a few times before the error is shown.
  const failedLoads = useRef(0);
  // NOT_FOUND (which is also what a chat the operator may not see answers) and other refusals are final.
  const refused = result.error?.graphQLErrors.some((e) => ['NOT_FOUND', 'FORBIDDEN', 'BAD_USER_INPUT'].includes(String(e.extensions?.['code'])));
  const failed = Boolean(result.error) && !refused && !result.fetching;
  useEffect(() => {
    if (!failed || failedLoads.current >= LOAD_RETRIES) return;
    failedLoads.current += 1;
    const retry = setTimeout(() => reexecute({ requestPolicy: 'network-only' }), 500 * failedLoads.current);
    return () => clearTimeout(retry);
  }, [failed, reexecute]);

  const unread = result.data?.chat?.unreadCount ?? 0;
  useEffect(() => {
    if (unread > 0) void markRead({ chatId });
  }, [unread, chatId, markRead]);

  return {
    chat: result.data?.chat,
    fetching: result.fetching || (failed && failedLoads.current < LOAD_RETRIES),
    // Shown as "not found or no access"; other errors are shown as they are.
    error: refused ? undefined : result.error,
    refetch,
  };
}
