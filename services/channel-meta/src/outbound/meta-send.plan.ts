import { outboundMediaDecision, type FailureCode, type SendMessageRequested } from '@switchboard/contracts';
import { OWN_SEND_METADATA_PREFIX } from '../webhook/meta-webhook.normaliser';

/** Send API text limits: Messenger 2000 characters, Instagram 1000. */
export const TEXT_LIMIT = { messenger: 2000, instagram: 1000 } as const;

/** One Send API call: its JSON body, and for an attachment the operator's file it carries. */
export interface DirectSend {
  body: Record<string, unknown>;
  /** The body's `message.attachment.payload` is completed with the file: uploaded (Messenger) or a public link (Instagram). */
  file?: SendMessageRequested['attachments'][number];
}

/** Why the platform would refuse one of the command's files (libs/contracts media-limits); undefined when it takes them all. */
export function directMediaRefusal(command: SendMessageRequested, channel: 'messenger' | 'instagram'): { code: FailureCode; message: string } | undefined {
  for (const attachment of command.attachments) {
    const decision = outboundMediaDecision(channel, attachment);
    if (!decision.ok) return { code: decision.reason === 'MEDIA_TOO_LARGE' ? 'too_large' : 'invalid_request', message: decision.message };
  }
  return undefined;
}

/**
 * The Send API calls that carry a Messenger/Instagram command, in order: text (split at the limit), then
 * each attachment as the type the channel's media limits choose (check directMediaRefusal first). messaging_type RESPONSE inside the 24-hour window, MESSAGE_TAG + HUMAN_AGENT when
 * the chat service chose the tag. The quoted message (reply_to) goes on the first one only. Messenger
 * bodies carry metadata naming the command, which Meta echoes back: how our own echoes are recognised.
 */
export function planDirectSends(command: SendMessageRequested, channel: 'messenger' | 'instagram'): DirectSend[] {
  const base: Record<string, unknown> = {
    recipient: { id: command.externalChatId },
    ...(command.messageTag ? { messaging_type: 'MESSAGE_TAG', tag: command.messageTag } : { messaging_type: 'RESPONSE' }),
  };
  const messages: { message: Record<string, unknown>; file?: SendMessageRequested['attachments'][number] }[] = [];
  if (command.text?.trim()) for (const part of splitText(command.text, TEXT_LIMIT[channel])) messages.push({ message: { text: part } });
  for (const file of command.attachments) {
    const decision = outboundMediaDecision(channel, file);
    const type = decision.ok ? decision.sendAs : 'file';
    messages.push({ message: { attachment: { type, payload: { is_reusable: false } } }, file });
  }
  return messages.map(({ message, file }, index) => ({
    body: {
      ...base,
      message: {
        ...message,
        ...(index === 0 && command.replyToPlatformMessageId ? { reply_to: { mid: command.replyToPlatformMessageId } } : {}),
        ...(channel === 'messenger' ? { metadata: `${OWN_SEND_METADATA_PREFIX}${command.commandId}` } : {}),
      },
    },
    ...(file ? { file } : {}),
  }));
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
