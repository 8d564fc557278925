import type { Logger } from 'pino';
import type { ChannelViberMetrics } from './channel-viber.metrics';
import { bodyDigest, planViberCallback, viberConnectionRef } from './viber-callback.normaliser';
import type { ViberConnectionRecord } from './viber-connection.repository';
import type { ViberInboundStore } from './viber-inbound.store';
import type { FetchedMedia } from './viber-media';
import type { ViberMediaFetcher } from './viber-media.fetcher';

/** Viber's documented answer to conversation_started: a send_message body without receiver, delivered as the welcome. */
export interface ViberWelcomeReply {
  sender: { name: string };
  type: 'text';
  text: string;
}

/**
 * Handles one verified, parsed callback: plans it, downloads its media when it is new, stores it (with
 * its events in the outbox) and says what to answer. Throws only when nothing could be made durable.
 */
export class ViberCallbackHandler {
  constructor(
    private readonly deps: { store: ViberInboundStore; media: ViberMediaFetcher; metrics: ChannelViberMetrics; logger: Logger },
  ) {}

  async handle(connection: ViberConnectionRecord, rawBody: Buffer, body: unknown): Promise<{ reply?: ViberWelcomeReply }> {
    const input = { body, bodyDigest: bodyDigest(rawBody), connection: viberConnectionRef(connection) };
    let plan = planViberCallback(input);
    const log = this.deps.logger.child({ connectionId: connection.id, event: plan.event, messageToken: plan.messageToken });
    const reply = plan.kind === 'conversation_started' && connection.welcomeMessage ? welcome(connection) : undefined;
    const answer = reply ? { reply } : {};
    if (plan.kind === 'webhook') {
      this.deps.metrics.callbacks.inc({ event: plan.event, outcome: 'verified' });
      log.info('viber webhook verification callback answered');
      return answer;
    }
    // Checked before downloading so a retried callback does not fetch its media again.
    if (await this.deps.store.isKnown(connection.id, plan.dedupeKey)) {
      this.deps.metrics.callbacks.inc({ event: plan.event, outcome: 'duplicate' });
      return answer;
    }
    let media: FetchedMedia | undefined;
    if (plan.mediaUrl) {
      media = await this.deps.media.fetch(plan.mediaUrl);
      this.deps.metrics.mediaDownloads.inc({ outcome: media.state });
      if (media.state !== 'stored') log.warn({ mediaState: media.state, reason: media.error }, 'viber media not kept; the message is stored with its metadata');
      plan = planViberCallback({ ...input, media });
    }
    const outcome = await this.deps.store.store(connection.id, plan, media);
    if (plan.kind === 'unrecognised' && outcome === 'stored') {
      log.warn({ reason: plan.reason, eventId: plan.events[0]?.envelope.id }, 'viber callback not recognised; published to the unrecognised topic');
    }
    this.deps.metrics.callbacks.inc({ event: plan.event, outcome: plan.kind === 'unrecognised' ? 'unrecognised' : outcome });
    return answer;
  }
}

function welcome(connection: ViberConnectionRecord): ViberWelcomeReply | undefined {
  if (!connection.welcomeMessage) return undefined;
  return { sender: { name: connection.senderName }, type: 'text', text: connection.welcomeMessage };
}
