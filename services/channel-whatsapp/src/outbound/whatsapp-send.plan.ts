import type { SendMessageRequested } from '@switchboard/contracts';

/** Cloud API limits: text body 4096 characters, media captions 1024. */
export const WHATSAPP_TEXT_LIMIT = 4096;
export const WHATSAPP_CAPTION_LIMIT = 1024;

/** Media types the Cloud API takes as image/video/audio; everything else goes as a document. */
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png']);
const VIDEO_TYPES = new Set(['video/mp4', 'video/3gpp']);

export type WhatsAppMessageType = 'text' | 'image' | 'video' | 'audio' | 'document' | 'template';

/** One POST /{phone-number-id}/messages body, without the quoted message (added to the first one). */
export interface SendStep {
  type: WhatsAppMessageType;
  body: Record<string, unknown>;
}

/**
 * Turns a send command into the Cloud API messages that carry it, in order. A template is sent alone
 * (the command's text is only its rendering for the inbox). Attachments go by link; a short text rides
 * as the caption of the first attachment that takes one, a long one goes first as text messages.
 */
export function planSends(command: SendMessageRequested): SendStep[] {
  const to = command.externalChatId;
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  if (command.template) {
    const { name, language, bodyParameters } = command.template;
    const components = bodyParameters.length > 0 ? [{ type: 'body', parameters: bodyParameters.map((text) => ({ type: 'text', text })) }] : [];
    return [{ type: 'template', body: { ...base, type: 'template', template: { name, language: { code: language }, components } } }];
  }
  const text = command.text?.trim() ? command.text : undefined;
  const captionTarget = command.attachments.findIndex((a) => mediaTypeOf(a.mimeType) !== 'audio');
  const captionFirst = text !== undefined && captionTarget >= 0 && text.length <= WHATSAPP_CAPTION_LIMIT;
  const steps: SendStep[] = [];
  if (text !== undefined && !captionFirst) {
    for (const part of splitText(text, WHATSAPP_TEXT_LIMIT)) {
      steps.push({ type: 'text', body: { ...base, type: 'text', text: { body: part, preview_url: false } } });
    }
  }
  command.attachments.forEach((attachment, index) => {
    const type = mediaTypeOf(attachment.mimeType);
    const media: Record<string, unknown> = { link: attachment.url };
    if (captionFirst && index === captionTarget) media['caption'] = text;
    if (type === 'document') media['filename'] = attachment.fileName;
    steps.push({ type, body: { ...base, type, [type]: media } });
  });
  return steps;
}

/** The quoted message goes on the first message only, as a person would quote once. */
export function withContext(step: SendStep, replyToPlatformMessageId: string | undefined): Record<string, unknown> {
  return replyToPlatformMessageId ? { ...step.body, context: { message_id: replyToPlatformMessageId } } : step.body;
}

function mediaTypeOf(mimeType: string): 'image' | 'video' | 'audio' | 'document' {
  const type = mimeType.toLowerCase();
  if (IMAGE_TYPES.has(type)) return 'image';
  if (VIDEO_TYPES.has(type)) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'document';
}

/** Splits at a line break or space in the second half of each window; never inside a surrogate pair. */
export function splitText(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const newline = window.lastIndexOf('\n');
    const space = window.lastIndexOf(' ');
    let cut = newline >= limit / 2 ? newline + 1 : space >= limit / 2 ? space + 1 : limit;
    const code = rest.charCodeAt(cut - 1);
    if (cut === limit && code >= 0xd800 && code <= 0xdbff) cut -= 1;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}
