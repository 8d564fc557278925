import { z } from 'zod';

/** Wire values of the sources a chat can come from (FEATURES.md S1-S3). */
export const CHANNEL_KINDS = [
  'telegram',
  'viber',
  'whatsapp',
  'messenger',
  'instagram',
  'facebook-comments',
  'instagram-comments',
  'telegram-user',
  'bridge',
] as const;

export const channelKindSchema = z.enum(CHANNEL_KINDS);
export type ChannelKind = z.infer<typeof channelKindSchema>;

/** A connected account of a channel (a bot, a page, a number) that chats arrive through. */
export const connectionRefSchema = z.object({
  id: z.uuid(),
  channel: channelKindSchema,
  /** What the customer wrote to, as the platform names it (bot username, page name, phone number). */
  displayName: z.string().min(1),
});
export type ConnectionRef = z.infer<typeof connectionRefSchema>;

/**
 * The chat key identifies one conversation: one connection and one customer thread on it.
 * It is the Kafka key of every event about the chat, which is what keeps per-chat order.
 */
export function chatKeyOf(params: { connectionId: string; externalChatId: string }): string {
  return `${params.connectionId}:${params.externalChatId}`;
}
