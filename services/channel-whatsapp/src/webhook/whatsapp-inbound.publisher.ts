import type { EventBus } from '@switchboard/messaging';
import type { Logger } from 'pino';
import type { ChannelWhatsAppMetrics } from '../channel-whatsapp.metrics';
import { normaliseWebhook, type NormaliseBatchInput } from './whatsapp-webhook.normaliser';

/**
 * The one path from a verified webhook to the bus: normalise the whole batch, publish it in one call
 * (resolves when durable), count. Throws when the bus does not take it, so the webhook answers 503.
 */
export class WhatsAppInboundPublisher {
  constructor(private readonly deps: { bus: EventBus; logger: Logger; metrics: ChannelWhatsAppMetrics }) {}

  /** Returns the ids of the connections the webhook spoke for. */
  async publish(input: NormaliseBatchInput): Promise<Set<string>> {
    const batch = normaliseWebhook(input);
    for (const ignored of batch.ignored) {
      this.deps.metrics.ignoredEntries.inc({ reason: ignored.reason });
      this.deps.logger.warn({ reason: ignored.reason, detail: ignored.detail }, 'whatsapp webhook change not published');
    }
    for (const event of batch.events) {
      if (event.kind !== 'unrecognised') continue;
      this.deps.logger.warn(
        { connectionId: event.envelope.key, reason: event.reason, eventId: event.envelope.id },
        'whatsapp payload not recognised; published to the unrecognised topic',
      );
    }
    if (batch.events.length > 0) await this.deps.bus.publish(batch.events.map(({ topic, envelope }) => ({ topic, envelope })));
    for (const event of batch.events) this.deps.metrics.inboundEvents.inc({ kind: event.kind });
    return batch.touchedConnectionIds;
  }
}
