import type { EventBus } from '@switchboard/messaging';
import type { InboundMediaLinks } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import type { ChannelMetaMetrics } from '../channel-meta.metrics';
import { mediaLinksOf } from '../media/meta-media-links';
import type { CommentRepository } from './comment.repository';
import { normaliseWebhook, type MetaConnectionScope } from './meta-webhook.normaliser';
import type { MetaWebhook } from './meta-webhook.schema';

/**
 * The one path from a verified webhook to the bus: look up which echoes are our own sends, normalise the
 * whole batch, remember its comments and media URLs, publish it in one call (resolves when durable), count. Throws when
 * the database or the bus does not take it, so the webhook answers 503 and Meta retries.
 */
export class MetaInboundPublisher {
  constructor(
    private readonly deps: { bus: EventBus; comments: CommentRepository; mediaLinks: InboundMediaLinks; logger: Logger; metrics: ChannelMetaMetrics },
  ) {}

  /** Returns the ids of the connections the webhook spoke for. */
  async publish(webhook: MetaWebhook, scope: ReadonlyMap<string, MetaConnectionScope>): Promise<Set<string>> {
    const ownMids = await this.deps.comments.ownMids(echoMids(webhook));
    const batch = normaliseWebhook({ webhook, scope, ownMids });
    for (const ignored of batch.ignored) {
      this.deps.metrics.ignoredItems.inc({ reason: ignored.reason });
      this.deps.logger.debug({ reason: ignored.reason, detail: ignored.detail }, 'meta webhook item not published');
    }
    for (const event of batch.events) {
      if (event.kind !== 'unrecognised') continue;
      this.deps.logger.warn({ connectionId: event.envelope.key, reason: event.reason, eventId: event.envelope.id }, 'meta payload not recognised; published to the unrecognised topic');
    }
    // Remembered first: an operator's answer must find the comment as soon as the chat shows it.
    await this.deps.comments.remember(batch.comments);
    // Likewise the attachments' URLs: the files service asks for them as soon as the message is in a chat.
    await this.deps.mediaLinks.remember(mediaLinksOf(batch.events.map((e) => e.envelope)));
    if (batch.events.length > 0) await this.deps.bus.publish(batch.events.map(({ topic, envelope }) => ({ topic, envelope })));
    for (const event of batch.events) this.deps.metrics.inboundEvents.inc({ kind: event.kind });
    return batch.touchedConnectionIds;
  }
}

/** Mids of every echo in the batch (messages whose is_echo is set), to check against our sends in one query. */
function echoMids(webhook: MetaWebhook): string[] {
  const mids: string[] = [];
  for (const entry of webhook.entry) {
    for (const item of [...(entry.messaging ?? []), ...(entry.standby ?? [])]) {
      const message = (item as { message?: { is_echo?: unknown; mid?: unknown } } | null)?.message;
      if (message?.is_echo === true && typeof message.mid === 'string') mids.push(message.mid);
    }
  }
  return mids;
}
