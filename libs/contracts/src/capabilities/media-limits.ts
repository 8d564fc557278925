import type { ChannelKind } from '../channel';

/**
 * Which files each channel's platform takes from a business, how it sends them and how large they may be:
 * the one definition the chat service checks before a send exists (decision 0036) and the connectors read to
 * choose the platform's send method. Sources (shared/CHANNELS.md and the platforms' send references):
 * - Telegram Bot API, multipart upload: photos up to 10 MB, any other file up to 50 MB (as a document).
 * - Telegram user accounts (MTProto upload, then messages.sendMedia): photos up to 10 MB, any file up to 2 GB.
 * - Viber REST Bot API send_message, media by URL: picture JPEG/PNG/GIF up to 1 MB (the iOS limit), video
 *   MP4 up to 26 MB, file up to 50 MB.
 * - WhatsApp Cloud API media (upload, then send by id): image JPEG/PNG 5 MB; video MP4/3GPP 16 MB; audio
 *   AAC/MP4/MPEG/AMR/OGG 16 MB; document text, PDF and Office formats 100 MB; nothing else.
 * - Messenger Send API: image, video, audio, file, each up to 25 MB.
 * - Instagram Messaging: image PNG/JPEG/GIF 8 MB; video MP4/OGG/AVI/MOV/WebM 25 MB; audio AAC/M4A/WAV/MP4
 *   25 MB; file PDF 25 MB.
 * - The bridge: download links to the partner, any type and size the files service keeps.
 * - Facebook comment replies (Graph API POST /{comment-id}/comments): one photo per comment, by
 *   `attachment_url` (an image URL Facebook fetches), JPEG/PNG/GIF up to 4 MB (Facebook's photo limit); the
 *   private reply (Send API, recipient.comment_id) is text only, which the chat service checks itself.
 * - Instagram comment replies (POST /{ig-comment-id}/replies) take `message` only: none.
 */
export interface MediaRule {
  /** The platform's own name for the send (Telegram method, Viber/WhatsApp/Meta message type). */
  sendAs: string;
  /** MIME types this rule takes (lower case); `any` takes every type the files service accepts. */
  mimeTypes: readonly string[] | 'any';
  maxBytes: number;
}

export interface OutboundMediaPolicy {
  /** Files one message may carry. */
  maxAttachments: number;
  /** In order: a file goes the first way whose types and size fit. */
  rules: readonly MediaRule[];
}

const MB = 1024 * 1024;

const WHATSAPP_DOCUMENT_TYPES = [
  'text/plain',
  'application/pdf',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
];

export const OUTBOUND_MEDIA_POLICIES: Readonly<Record<ChannelKind, OutboundMediaPolicy | null>> = {
  telegram: {
    maxAttachments: 10,
    rules: [
      { sendAs: 'sendPhoto', mimeTypes: ['image/jpeg', 'image/png', 'image/webp'], maxBytes: 10 * MB },
      { sendAs: 'sendDocument', mimeTypes: 'any', maxBytes: 50 * MB },
    ],
  },
  viber: {
    maxAttachments: 10,
    rules: [
      { sendAs: 'picture', mimeTypes: ['image/jpeg', 'image/png', 'image/gif'], maxBytes: 1 * MB },
      { sendAs: 'video', mimeTypes: ['video/mp4'], maxBytes: 26 * MB },
      { sendAs: 'file', mimeTypes: 'any', maxBytes: 50 * MB },
    ],
  },
  whatsapp: {
    maxAttachments: 10,
    rules: [
      { sendAs: 'image', mimeTypes: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
      { sendAs: 'video', mimeTypes: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
      { sendAs: 'audio', mimeTypes: ['audio/aac', 'audio/mp4', 'audio/mpeg', 'audio/amr', 'audio/ogg'], maxBytes: 16 * MB },
      { sendAs: 'document', mimeTypes: WHATSAPP_DOCUMENT_TYPES, maxBytes: 100 * MB },
    ],
  },
  messenger: {
    maxAttachments: 10,
    rules: [
      { sendAs: 'image', mimeTypes: ['image/jpeg', 'image/png', 'image/gif'], maxBytes: 25 * MB },
      { sendAs: 'video', mimeTypes: ['video/mp4', 'video/quicktime', 'video/webm', 'video/3gpp'], maxBytes: 25 * MB },
      { sendAs: 'audio', mimeTypes: ['audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/wav', 'audio/ogg'], maxBytes: 25 * MB },
      { sendAs: 'file', mimeTypes: 'any', maxBytes: 25 * MB },
    ],
  },
  instagram: {
    maxAttachments: 10,
    rules: [
      { sendAs: 'image', mimeTypes: ['image/jpeg', 'image/png', 'image/gif'], maxBytes: 8 * MB },
      { sendAs: 'video', mimeTypes: ['video/mp4', 'video/ogg', 'video/x-msvideo', 'video/quicktime', 'video/webm'], maxBytes: 25 * MB },
      { sendAs: 'audio', mimeTypes: ['audio/aac', 'audio/mp4', 'audio/wav'], maxBytes: 25 * MB },
      { sendAs: 'file', mimeTypes: ['application/pdf'], maxBytes: 25 * MB },
    ],
  },
  // MTProto messages.sendMedia from a user account: photos up to 10 MB, any file up to 2 GB as a document.
  'telegram-user': {
    maxAttachments: 10,
    rules: [
      { sendAs: 'photo', mimeTypes: ['image/jpeg', 'image/png', 'image/webp'], maxBytes: 10 * MB },
      { sendAs: 'document', mimeTypes: 'any', maxBytes: 2000 * MB },
    ],
  },
  // The partner gets a signed download link per file (docs/bridge.md): any type the files service accepts, up
  // to the files service's highest limit (FILES_MAX_BYTES may be set up to 2000 MB; it refuses larger uploads).
  bridge: {
    maxAttachments: 10,
    rules: [{ sendAs: 'link', mimeTypes: 'any', maxBytes: 2000 * MB }],
  },
  // A public reply carries one photo, which Facebook downloads from attachment_url (a signed files-service link).
  'facebook-comments': {
    maxAttachments: 1,
    rules: [{ sendAs: 'attachment_url', mimeTypes: ['image/jpeg', 'image/png', 'image/gif'], maxBytes: 4 * MB }],
  },
  // Instagram's /replies edge takes text only.
  'instagram-comments': null,
};

/** extensions.reason of a refused attachment (sendMessage answers BAD_USER_INPUT with it). */
export const MEDIA_REFUSALS = {
  notSupported: 'MEDIA_NOT_SUPPORTED',
  tooMany: 'MEDIA_TOO_MANY',
  typeNotAllowed: 'MEDIA_TYPE_NOT_ALLOWED',
  tooLarge: 'MEDIA_TOO_LARGE',
} as const;
export type MediaRefusalReason = (typeof MEDIA_REFUSALS)[keyof typeof MEDIA_REFUSALS];

export type OutboundMediaDecision = { ok: true; sendAs: string } | { ok: false; reason: MediaRefusalReason; message: string };

const PLATFORM_NAMES: Readonly<Record<ChannelKind, string>> = {
  telegram: 'Telegram',
  'telegram-user': 'Telegram (personal account)',
  viber: 'Viber',
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
  // Lower case: the name also stands mid-sentence; sentenceStart() capitalises it where it opens one.
  bridge: 'the bridge channel',
  'facebook-comments': 'a Facebook comment reply',
  'instagram-comments': 'an Instagram comment reply',
};

/** How `channel` sends a file of this type and size, or why its platform would refuse it. */
export function outboundMediaDecision(channel: ChannelKind, file: { mimeType: string; sizeBytes: number; fileName?: string | undefined }): OutboundMediaDecision {
  const policy = OUTBOUND_MEDIA_POLICIES[channel];
  const platform = PLATFORM_NAMES[channel];
  const label = file.fileName ? `"${file.fileName}"` : 'The file';
  if (!policy) return { ok: false, reason: MEDIA_REFUSALS.notSupported, message: `${sentenceStart(platform)} cannot carry files from here; send text only` };
  const mimeType = file.mimeType.toLowerCase();
  const typed = policy.rules.filter((rule) => rule.mimeTypes === 'any' || rule.mimeTypes.includes(mimeType));
  if (typed.length === 0) {
    return { ok: false, reason: MEDIA_REFUSALS.typeNotAllowed, message: `${label} is ${mimeType}, which ${platform} does not accept` };
  }
  const fits = typed.find((rule) => file.sizeBytes <= rule.maxBytes);
  if (fits) return { ok: true, sendAs: fits.sendAs };
  const largest = Math.max(...typed.map((rule) => rule.maxBytes));
  return {
    ok: false,
    reason: MEDIA_REFUSALS.tooLarge,
    message: `${label} is ${megabytes(file.sizeBytes)}; ${platform} takes ${mimeType} files up to ${megabytes(largest)}`,
  };
}

/** The first refusal among a message's files, or undefined when the platform takes them all. */
export function outboundMediaRefusal(
  channel: ChannelKind,
  files: readonly { mimeType: string; sizeBytes: number; fileName?: string | undefined }[],
): { reason: MediaRefusalReason; message: string } | undefined {
  if (files.length === 0) return undefined;
  const policy = OUTBOUND_MEDIA_POLICIES[channel];
  if (policy && files.length > policy.maxAttachments) {
    const message =
      policy.maxAttachments === 1
        ? `${sentenceStart(PLATFORM_NAMES[channel])} carries at most one file`
        : `${sentenceStart(PLATFORM_NAMES[channel])} messages from here carry at most ${policy.maxAttachments} files`;
    return { reason: MEDIA_REFUSALS.tooMany, message };
  }
  for (const file of files) {
    const decision = outboundMediaDecision(channel, file);
    if (!decision.ok) return { reason: decision.reason, message: decision.message };
  }
  return undefined;
}

function sentenceStart(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function megabytes(bytes: number): string {
  return `${(bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1)} MB`;
}
