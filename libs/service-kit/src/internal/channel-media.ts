
/**
 * GET /internal/media/:connectionId/:platformFileId on a channel connector (service token only): the bytes
 * of a file a customer sent, as the platform serves them. The files service calls it when a message with
 * attachments arrives (chat.message-added), so platform credentials (bot tokens, access tokens) and
 * platform-specific download steps (Telegram getFile, WhatsApp media URLs, Viber's stored copy) stay in
 * the connector. Not public API.
 *
 * Answers: 200 with the bytes (Content-Type as the platform said; X-File-Name when it gave a name);
 * 404 MEDIA_GONE (unknown or expired at the platform); 413 MEDIA_TOO_LARGE (the platform will not hand
 * it out, e.g. Telegram bots get at most 20 MB); 401 without a valid service token; 5xx: try again later.
 */
export const CHANNEL_MEDIA_PATH = '/internal/media/:connectionId/:platformFileId';

export const CHANNEL_MEDIA_FAILURES = { gone: 'MEDIA_GONE', tooLarge: 'MEDIA_TOO_LARGE' } as const;

export function channelMediaPath(params: { connectionId: string; platformFileId: string }): string {
  return `/internal/media/${encodeURIComponent(params.connectionId)}/${encodeURIComponent(params.platformFileId)}`;
}

