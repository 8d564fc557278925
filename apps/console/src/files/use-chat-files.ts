import { useCallback, useEffect, useMemo } from 'react';
import { useQuery } from 'urql';
import { ChatFilesQuery, type ChatFile } from '../graphql/operations';
import { useLiveChatEvents } from '../live/live-context';

/** How often files still being fetched from the platform are asked about: no live event says they arrived. */
const PENDING_POLL_MS = 3_000;
const NO_FILES: ChatFile[] = [];

/**
 * The chat's files (C10), apart from the chat query so that the files service being down hides only the
 * download links. Refetched on every live event of the chat (a new message may carry media).
 */
export function useChatFiles(chatId: string) {
  const [result, reexecute] = useQuery({ query: ChatFilesQuery, variables: { chatId } });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useLiveChatEvents((event) => {
    if (event.chatId === chatId && event.type === 'chat.message-added') refetch();
  }, refetch);
  const connection = result.data?.chat?.files;
  const files = useMemo(() => connection?.edges.map((edge) => edge.node) ?? NO_FILES, [connection]);
  const pending = files.some((file) => file.state === 'PENDING');
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(refetch, PENDING_POLL_MS);
    return () => clearInterval(timer);
  }, [pending, refetch]);
  return { files, refetch };
}
