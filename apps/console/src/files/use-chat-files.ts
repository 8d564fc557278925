import { useCallback, useEffect, useMemo } from 'react';
import { useQuery } from 'urql';
import { awaitingCustomerMedia } from '../chat/timeline-files';
import { ChatFilesQuery, type ChatFile, type TimelineItem } from '../graphql/operations';
import { useLiveChatEvents } from '../live/live-context';

/** How often files still being fetched from the platform are asked about: no live event says they arrived. */
const PENDING_POLL_MS = 3_000;
const NO_FILES: ChatFile[] = [];
const NO_ITEMS: TimelineItem[] = [];

/**
 * The chat's files (C10), apart from the chat query so that the files service being down hides only the
 * download links. Refetched on every live event of the chat (a new message may carry media), and polled while
 * a file is PENDING or a recent customer message in `items` (the loaded timeline) has media without a file row
 * yet: the refetch a new message triggers can come before the files service saw the message.
 */
export function useChatFiles(chatId: string, items: readonly TimelineItem[] = NO_ITEMS) {
  const [result, reexecute] = useQuery({ query: ChatFilesQuery, variables: { chatId } });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useLiveChatEvents((event) => {
    if (event.chatId === chatId && event.type === 'chat.message-added') refetch();
  }, refetch);
  const connection = result.data?.chat?.files;
  const files = useMemo(() => connection?.edges.map((edge) => edge.node) ?? NO_FILES, [connection]);
  const pending = files.some((file) => file.state === 'PENDING') || awaitingCustomerMedia(items, files, Date.now());
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(refetch, PENDING_POLL_MS);
    return () => clearInterval(timer);
  }, [pending, refetch]);
  return { files, refetch };
}
