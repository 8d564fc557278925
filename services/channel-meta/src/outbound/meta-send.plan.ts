import type { SendMessageRequested } from '@switchboard/contracts';
import { OWN_SEND_METADATA_PREFIX } from '../webhook/meta-webhook.normaliser';

/** Send API text limits: Messenger 2000 characters, Instagram 1000. */
export const TEXT_LIMIT = { messenger: 2000, instagram: 1000 } as const;

/**
 * The Send API bodies that carry a Messenger/Instagram command, in order: text (split at the limit), then
 * each attachment by URL. messaging_type RESPONSE inside the 24-hour window, MESSAGE_TAG + HUMAN_AGENT when
 * the chat service chose the tag. The quoted message (reply_to) goes on the first one only. Messenger
 * bodies carry metadata naming the command, which Meta echoes back: how our own echoes are recognised.
 */
export function planDirectSends(command: SendMessageRequested, channel: 'messenger' | 'instagram'): Record<string, unknown>[] {
  const base: Record<string, unknown> = {
    recipient: { id: command.externalChatId },
    ...(command.messageTag ? { messaging_type: 'MESSAGE_TAG', tag: command.messageTag } : { messaging_type: 'RESPONSE' }),
  };
  const messages: Record<string, unknown>[] = [];
  if (command.text?.trim()) for (const part of splitText(command.text, TEXT_LIMIT[channel])) messages.push({ text: part });
  for (const attachment of command.attachments) {
    messages.push({ attachment: { type: attachmentType(attachment.mimeType), payload: { url: attachment.url, is_reusable: false } } });
  }
  return messages.map((message, index) => ({
    ...base,
    message: {
      ...message,
      ...(index === 0 && command.replyToPlatformMessageId ? { reply_to: { mid: command.replyToPlatformMessageId } } : {}),
      ...(channel === 'messenger' ? { metadata: `${OWN_SEND_METADATA_PREFIX}${command.commandId}` } : {}),
    },
  }));
}

function attachmentType(mimeType: string): 'image' | 'video' | 'audio' | 'file' {
  const type = mimeType.toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'file';
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
