import type { ViberMessage } from './viber-callback.schema';

/** Message types whose `media` is a file Viber hosts (and whose link expires); `url` messages link elsewhere. */
const HOSTED_MEDIA_TYPES = new Set(['picture', 'video', 'file', 'sticker']);

/** The hosted file of a message, if any: what must be downloaded before the link expires. */
export function hostedMediaUrl(message: ViberMessage): string | undefined {
  return HOSTED_MEDIA_TYPES.has(message.type) && message.media ? message.media : undefined;
}

/** The outcome of fetching a message's media while the webhook is answered. */
export type FetchedMedia =
  | { state: 'stored'; sourceUrl: string; content: Buffer; sizeBytes: number; mimeType: string | undefined; sha256: string }
  | { state: 'too_large'; sourceUrl: string; sizeBytes: number | undefined; mimeType: string | undefined; error: string }
  | { state: 'failed'; sourceUrl: string; error: string };

/** The id inbound events carry for the file: the files service resolves it against channel_viber.inbound_media. */
export function viberMediaFileId(messageToken: string): string {
  return `viber-media:${messageToken}`;
}

/** The message token inside a viberMediaFileId, or undefined when the id is not one. */
export function viberMediaTokenOf(platformFileId: string): string | undefined {
  return /^viber-media:([0-9]{1,20})$/.exec(platformFileId)?.[1];
}
