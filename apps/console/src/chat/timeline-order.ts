import type { TimelineItem } from '../graphql/operations';

/** The API pages the timeline newest first; a conversation reads oldest first, latest at the bottom. */
export function chronological(items: readonly TimelineItem[]): TimelineItem[] {
  return [...items].reverse();
}
