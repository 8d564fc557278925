import { outboundMediaDecision, type FailureCode, type SendMessageRequested } from '@switchboard/contracts';
import type { ViberOutgoingMessage } from './viber-api.client';

/** Viber's limits (https://developers.viber.com/docs/api/rest-bot-api/#send-message). */
export const VIBER_TEXT_LIMIT = 7000;
const PICTURE_CAPTION_LIMIT = 768;

/**
 * The send_message calls for one command, in order. Media go by URL (Viber has no upload): `mediaUrls[i]` is
 * the public signed link of attachment i. Each file goes the way the channel's media limits choose
 * (libs/contracts media-limits): small JPEG/PNG/GIF as `picture` (with a short text as its description),
 * MP4 as `video`, everything else as `file`; a file Viber would refuse fails the command before any call.
 * Text longer than Viber's limit is split.
 */
export function planViberMessages(command: SendMessageRequested, mediaUrls: readonly string[]): ViberOutgoingMessage[] {
  const sendAs = command.attachments.map((attachment) => {
    const decision = outboundMediaDecision('viber', attachment);
    if (!decision.ok) throw new Error(`planViberMessages got a file Viber refuses (check viberMediaRefusal first): ${decision.message}`);
    return decision.sendAs;
  });
  const text = command.text?.trim() ? command.text : undefined;
  const captionFirst = text !== undefined && sendAs[0] === 'picture' && text.length <= PICTURE_CAPTION_LIMIT;
  const out: ViberOutgoingMessage[] = [];
  if (text !== undefined && !captionFirst) {
    for (let i = 0; i < text.length; i += VIBER_TEXT_LIMIT) out.push({ type: 'text', text: text.slice(i, i + VIBER_TEXT_LIMIT) });
  }
  command.attachments.forEach((attachment, index) => {
    const media = mediaUrls[index];
    if (media === undefined) throw new Error(`No media URL for attachment ${index} of command ${command.commandId}`);
    if (sendAs[index] === 'picture') {
      out.push({ type: 'picture', media, ...(captionFirst && index === 0 && text !== undefined ? { text } : {}) });
    } else if (sendAs[index] === 'video') {
      out.push({ type: 'video', media, size: attachment.sizeBytes });
    } else {
      out.push({ type: 'file', media, size: attachment.sizeBytes, file_name: attachment.fileName });
    }
  });
  return out;
}

/** Why Viber would refuse one of the command's files, as a delivery failure; undefined when it takes them all. */
export function viberMediaRefusal(command: SendMessageRequested): { code: FailureCode; message: string } | undefined {
  for (const attachment of command.attachments) {
    const decision = outboundMediaDecision('viber', attachment);
    if (!decision.ok) return { code: decision.reason === 'MEDIA_TOO_LARGE' ? 'too_large' : 'invalid_request', message: decision.message };
  }
  return undefined;
}
