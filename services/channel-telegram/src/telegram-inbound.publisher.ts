import type { EventBus } from '@switchboard/messaging';
import type { Logger } from 'pino';
import type { ChannelTelegramMetrics } from './channel-telegram.metrics';
import { normaliseTelegramUpdate, telegramConnectionRef, updateKind } from './telegram-update.normaliser';
import type { TgUpdate } from './telegram-update.schema';

/**
 * The one path from Telegram updates to the bus, shared by webhooks and long polling: normalise, publish
 * the whole batch in one call (resolves when durable), count. Throws when the bus does not take it.
 */
export class TelegramInboundPublisher {
  constructor(
    private readonly deps: { bus: EventBus; logger: Logger; metrics: ChannelTelegramMetrics },
  ) {}

  async publish(connection: { id: string; botUsername: string }, updates: readonly TgUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const ref = telegramConnectionRef(connection);
    const normalised = updates.map((update) => normaliseTelegramUpdate({ update, connection: ref }));
    for (const [index, result] of normalised.entries()) {
      if (result.outcome !== 'unrecognised') continue;
      const update = updates[index]!;
      this.deps.logger.warn(
        { connectionId: connection.id, updateId: update.update_id, updateKind: updateKind(update), reason: result.reason, eventId: result.envelope.id },
        'telegram update not recognised; published to the unrecognised topic',
      );
    }
    await this.deps.bus.publish(normalised.map(({ topic, envelope }) => ({ topic, envelope })));
    for (const result of normalised) this.deps.metrics.inboundEvents.inc({ kind: result.kind });
  }
}
