import { CustomerTypingV1, TOPICS, chatKeyOf, createEnvelope, customerActivitySchema, type ConnectionRef } from '@switchboard/contracts';
import type { EventBus } from '@switchboard/messaging';
import type { Logger } from 'pino';
import { CHANNEL_TELEGRAM_USER_SERVICE } from '../channel-telegram-user.config';

/** Telegram shows a typing status for about 6 s unless the client repeats it. */
const TYPING_LIFETIME_MS = 6_000;
/** Telegram clients repeat typing every few seconds; one event per chat in this window is enough. */
const REPEAT_AFTER_MS = 4_000;
const MAX_TRACKED_CHATS = 10_000;

/**
 * Publishes customers' typing as CustomerTypingV1 on messenger.presence.v1, straight to the bus: it is
 * ephemeral (no outbox, nothing stored) and throttled per chat. A failed publish loses one hint and is logged.
 */
export class TypingPublisher {
  private readonly lastSent = new Map<string, { activity: string; at: number }>();

  constructor(private readonly deps: { bus: Pick<EventBus, 'publish'>; logger: Logger }) {}

  async publish(connection: ConnectionRef, peerUserId: string, action: string, now = new Date()): Promise<boolean> {
    const activity = customerActivitySchema.catch('other').parse(action);
    const chatKey = chatKeyOf({ connectionId: connection.id, externalChatId: peerUserId });
    const last = this.lastSent.get(chatKey);
    if (last && last.activity === activity && now.getTime() - last.at < REPEAT_AFTER_MS) return false;
    this.remember(chatKey, { activity, at: now.getTime() });
    const envelope = createEnvelope(
      CustomerTypingV1,
      {
        connection,
        chatKey,
        externalChatId: peerUserId,
        occurredAt: now.toISOString(),
        customerExternalId: peerUserId,
        activity,
        expiresAt: new Date(now.getTime() + TYPING_LIFETIME_MS).toISOString(),
      },
      { producer: CHANNEL_TELEGRAM_USER_SERVICE, key: chatKey },
    );
    try {
      await this.deps.bus.publish([{ topic: TOPICS.presence, envelope }]);
      return true;
    } catch (error) {
      // Ephemeral by contract: the next typing update replaces it, so it is not retried.
      this.deps.logger.warn({ err: error, chatKey }, 'typing event not published');
      return false;
    }
  }

  private remember(chatKey: string, value: { activity: string; at: number }): void {
    this.lastSent.delete(chatKey);
    this.lastSent.set(chatKey, value);
    // Oldest first in a Map: bounded memory however many chats type.
    if (this.lastSent.size > MAX_TRACKED_CHATS) this.lastSent.delete(this.lastSent.keys().next().value!);
  }
}
