/**
 * The platformFileId of a customer's photo or document: `photo:<photo id>@<message id>` or
 * `document:<document id>@<message id>`. Telegram serves a file only through the message that carries it
 * (its file reference expires and is renewed by fetching the message again), so the message id travels
 * with the media id; the media id tells a file apart from one an edit put in its place.
 */
export interface MediaFileRef {
  kind: 'photo' | 'document';
  mediaId: string;
  messageId: number;
}

const PATTERN = /^(photo|document):(\d{1,20})@(\d{1,10})$/;

export function mediaFileIdOf(ref: MediaFileRef): string {
  return `${ref.kind}:${ref.mediaId}@${ref.messageId}`;
}

/** The parts of a platformFileId this connector issued, or undefined for anything else. */
export function parseMediaFileId(platformFileId: string): MediaFileRef | undefined {
  const match = PATTERN.exec(platformFileId);
  if (!match) return undefined;
  const messageId = Number(match[3]);
  // Telegram message ids are positive 32-bit integers.
  if (!Number.isSafeInteger(messageId) || messageId < 1 || messageId > 2_147_483_647) return undefined;
  return { kind: match[1] as MediaFileRef['kind'], mediaId: match[2]!, messageId };
}
