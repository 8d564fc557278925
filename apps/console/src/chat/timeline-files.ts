import type { ChatFile, TimelineItem } from '../graphql/operations';

export type TimelineEntry = { kind: 'item'; item: TimelineItem } | { kind: 'file'; file: ChatFile };

/** When an item happened, whichever kind it is. */
export function itemTime(item: TimelineItem): string {
  switch (item.__typename) {
    case 'Message':
      return item.sentAt;
    case 'Note':
      return item.createdAt;
    case 'ActivityEntry':
      return item.at;
  }
}

/**
 * The timeline with the files operators uploaded to the chat, each at its time (items oldest first in,
 * entries oldest first out; an item and a file at the same instant keep the item first). Customers' media
 * belong to their messages and are not listed again. When older history is not loaded (`complete` false),
 * uploads older than the first loaded item are left out rather than piled up at the top.
 */
export function withUploads(items: readonly TimelineItem[], files: readonly ChatFile[], complete: boolean): TimelineEntry[] {
  const first = items[0];
  const from = complete || !first ? -Infinity : Date.parse(itemTime(first));
  const uploads = files
    .filter((file) => file.origin === 'UPLOAD' && Date.parse(file.createdAt) >= from)
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const entries: TimelineEntry[] = [];
  let next = 0;
  for (const item of items) {
    const at = Date.parse(itemTime(item));
    while (next < uploads.length && Date.parse(uploads[next]!.createdAt) < at) entries.push({ kind: 'file', file: uploads[next++]! });
    entries.push({ kind: 'item', item });
  }
  for (; next < uploads.length; next++) entries.push({ kind: 'file', file: uploads[next]! });
  return entries;
}

/** A customer's media by message and position, so each attachment of a message finds its stored file. */
export function filesByAttachment(files: readonly ChatFile[]): Map<string, ChatFile> {
  const byAttachment = new Map<string, ChatFile>();
  for (const file of files) {
    if (file.messageId !== null && file.attachmentIndex !== null) byAttachment.set(attachmentKey(file.messageId, file.attachmentIndex), file);
  }
  return byAttachment;
}

export function attachmentKey(messageId: string, index: number): string {
  return `${messageId}:${index}`;
}

/** How long after a customer's message its media are waited for (the files service fetches them after it). */
export const MEDIA_AWAITED_MS = 10 * 60_000;

/**
 * Whether a recent customer message has an attachment the files service has not even started to fetch (no
 * file row yet, not even PENDING): the refetch a new message triggers can run before the files service saw the
 * message, and no live event says when its row appears, so the caller keeps asking a while.
 */
export function awaitingCustomerMedia(items: readonly TimelineItem[], files: readonly ChatFile[], now: number): boolean {
  const byAttachment = filesByAttachment(files);
  return items.some(
    (item) =>
      item.__typename === 'Message' &&
      item.direction === 'INBOUND' &&
      now - Date.parse(item.sentAt) < MEDIA_AWAITED_MS &&
      item.attachments.some((_, index) => !byAttachment.has(attachmentKey(item.id, index))),
  );
}
