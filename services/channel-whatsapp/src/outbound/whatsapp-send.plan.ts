import { outboundMediaDecision, type FailureCode, type SendMessageRequested } from '@switchboard/contracts';

/** Cloud API limits: text body 4096 characters, media captions 1024. */
export const WHATSAPP_TEXT_LIMIT = 4096;
export const WHATSAPP_CAPTION_LIMIT = 1024;

export type WhatsAppMessageType = 'text' | 'image' | 'video' | 'audio' | 'document' | 'template';

/** One POST /{phone-number-id}/messages body, without the quoted message (added to the first one). */
export interface SendStep {
  type: WhatsAppMessageType;
  body: Record<string, unknown>;
  /** A media message: this file is uploaded first (POST /{phone-number-id}/media) and the body names its id. */
  upload?: SendMessageRequested['attachments'][number];
}

/**
 * Turns a send command into the Cloud API messages that carry it, in order. A template is sent alone
 * (the command's text is only its rendering for the inbox). Attachments are uploaded and sent by media id,
 * as the type the channel's media limits choose (libs/contracts media-limits); a file WhatsApp would refuse
 * fails the command before any call. A short text rides as the caption of the first attachment that takes
 * one, a long one goes first as text messages.
 */
export function planSends(command: SendMessageRequested): SendStep[] | { code: FailureCode; message: string } {
  const to = command.externalChatId;
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  if (command.template) {
    const { name, language, bodyParameters } = command.template;
    const components = bodyParameters.length > 0 ? [{ type: 'body', parameters: bodyParameters.map((text) => ({ type: 'text', text })) }] : [];
    return [{ type: 'template', body: { ...base, type: 'template', template: { name, language: { code: language }, components } } }];
  }
  const types: ('image' | 'video' | 'audio' | 'document')[] = [];
  for (const attachment of command.attachments) {
    const decision = outboundMediaDecision('whatsapp', attachment);
    if (!decision.ok) return { code: decision.reason === 'MEDIA_TOO_LARGE' ? 'too_large' : 'invalid_request', message: decision.message };
    types.push(decision.sendAs as 'image' | 'video' | 'audio' | 'document');
  }
  const text = command.text?.trim() ? command.text : undefined;
  const captionTarget = types.findIndex((type) => type !== 'audio');
  const captionFirst = text !== undefined && captionTarget >= 0 && text.length <= WHATSAPP_CAPTION_LIMIT;
  const steps: SendStep[] = [];
  if (text !== undefined && !captionFirst) {
    for (const part of splitText(text, WHATSAPP_TEXT_LIMIT)) {
      steps.push({ type: 'text', body: { ...base, type: 'text', text: { body: part, preview_url: false } } });
    }
  }
  command.attachments.forEach((attachment, index) => {
    const type = types[index]!;
    const media: Record<string, unknown> = {};
    if (captionFirst && index === captionTarget) media['caption'] = text;
    if (type === 'document') media['filename'] = attachment.fileName;
    steps.push({ type, body: { ...base, type, [type]: media }, upload: attachment });
  });
  return steps;
}

/** The quoted message goes on the first message only, as a person would quote once. */
export function withContext(body: Record<string, unknown>, replyToPlatformMessageId: string | undefined): Record<string, unknown> {
  return replyToPlatformMessageId ? { ...body, context: { message_id: replyToPlatformMessageId } } : body;
}

/** The media message body naming the uploaded media id. */
export function withMediaId(step: SendStep, mediaId: string): Record<string, unknown> {
  return { ...step.body, [step.type]: { ...(step.body[step.type] as Record<string, unknown>), id: mediaId } };
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
