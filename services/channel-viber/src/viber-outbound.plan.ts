import type { SendMessageRequested } from '@switchboard/contracts';
import type { ViberOutgoingMessage } from './viber-api.client';

/** Viber's limits (https://developers.viber.com/docs/api/rest-bot-api/#send-message). */
export const VIBER_TEXT_LIMIT = 7000;
const PICTURE_CAPTION_LIMIT = 768;
const PICTURE_MAX_BYTES = 1024 * 1024;
const PICTURE_MIME_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif']);

/**
 * The send_message calls for one command, in order. Media go by URL (Viber has no upload): pictures Viber
 * accepts as such (JPEG/PNG/GIF up to 1 MB) as `picture`, with a short text as their description;
 * everything else as `file`. Text longer than Viber's limit is split.
 */
export function planViberMessages(command: SendMessageRequested): ViberOutgoingMessage[] {
  const text = command.text?.trim() ? command.text : undefined;
  const first = command.attachments[0];
  const captionFirst = text !== undefined && first !== undefined && isPicture(first) && text.length <= PICTURE_CAPTION_LIMIT;
  const out: ViberOutgoingMessage[] = [];
  if (text !== undefined && !captionFirst) {
    for (let i = 0; i < text.length; i += VIBER_TEXT_LIMIT) out.push({ type: 'text', text: text.slice(i, i + VIBER_TEXT_LIMIT) });
  }
  command.attachments.forEach((attachment, index) => {
    if (isPicture(attachment)) {
      out.push({ type: 'picture', media: attachment.url, ...(captionFirst && index === 0 && text !== undefined ? { text } : {}) });
    } else {
      out.push({ type: 'file', media: attachment.url, size: attachment.sizeBytes, file_name: attachment.fileName });
    }
  });
  return out;
}

function isPicture(attachment: SendMessageRequested['attachments'][number]): boolean {
  return PICTURE_MIME_TYPES.has(attachment.mimeType.toLowerCase()) && attachment.sizeBytes <= PICTURE_MAX_BYTES;
}
