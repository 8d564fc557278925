import { BadRequestException, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { HUB_SIGNATURE_HEADER, LastSeenWriter, MetaAppSigners, webhookHeader, type WebhookEndpoint, type WebhookRateLimit } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChannelWhatsAppMetrics } from '../channel-whatsapp.metrics';
import type { WhatsAppConnectionRecord, WhatsAppConnectionRepository } from '../connections/whatsapp-connection.repository';
import type { WhatsAppCredentialsVault } from '../connections/whatsapp-credentials.vault';
import type { WhatsAppInboundPublisher } from './whatsapp-inbound.publisher';
import { whatsAppConnectionRef, type WhatsAppConnectionScope } from './whatsapp-webhook.normaliser';
import { waWebhookSchema, type WaWebhook } from './whatsapp-webhook.schema';

/** A batch holds up to 1000 messages/statuses (CHANNELS.md 4); a few MB covers that with room to spare. */
const WEBHOOK_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

export interface WhatsAppWebhookDeps {
  connections: WhatsAppConnectionRepository;
  vault: WhatsAppCredentialsVault;
  publisher: WhatsAppInboundPublisher;
  metrics: ChannelWhatsAppMetrics;
  logger: Logger;
}

/**
 * POST /webhooks/whatsapp, the Cloud API webhook: one URL per Meta app, shared by all its numbers (Meta
 * configures a single callback per app), taking batches signed with the app secret. Answered 200 only once
 * its events are durable on the bus; forged (401) and malformed (400) requests store nothing; a bus outage
 * answers 503 and Meta retries (for up to 7 days). The number is only known from the body, so the rate limit
 * (counted before the body is read) is per client IP on this URL; the verification GET shares that budget.
 */
export function whatsAppWebhookEndpoint(deps: WhatsAppWebhookDeps, rateLimit?: WebhookRateLimit): WebhookEndpoint {
  const receiver = new WhatsAppWebhookReceiver(deps);
  return {
    channel: 'whatsapp',
    path: '/webhooks/whatsapp',
    bodyLimitBytes: WEBHOOK_BODY_LIMIT_BYTES,
    duration: deps.metrics.webhookDuration,
    ...(rateLimit ? { rateLimit: { ...rateLimit, scope: () => 'app' } } : {}),
    handle: async (request) => {
      await receiver.receive(webhookHeader(request, HUB_SIGNATURE_HEADER), request.body);
      return { status: 200, body: { ok: true } };
    },
  };
}

class WhatsAppWebhookReceiver {
  private readonly signers: MetaAppSigners<WhatsAppConnectionRecord>;
  private readonly lastSeen: LastSeenWriter;

  constructor(private readonly deps: WhatsAppWebhookDeps) {
    this.signers = new MetaAppSigners({ listReceiving: () => deps.connections.listReceiving(), appSecretOf: (record) => deps.vault.open(record).appSecret });
    this.lastSeen = new LastSeenWriter({ write: (ids) => deps.connections.touchLastWebhook(ids), column: 'last_webhook_at', logger: deps.logger });
  }

  async receive(signature: string | undefined, raw: Buffer): Promise<void> {
    const signers = await this.signers.signersOf(raw, signature);
    if (signers.length === 0) throw new UnauthorizedException('X-Hub-Signature-256 is missing or does not match any connected app');
    const webhook = parseWebhook(raw);
    // Only the numbers of the app that signed this body: another app's secret never vouches for them.
    const scope = new Map<string, WhatsAppConnectionScope>(
      signers.map((record) => [record.phoneNumberId, { ref: whatsAppConnectionRef(record), wabaId: record.wabaId }]),
    );
    let touched: Set<string>;
    try {
      touched = await this.deps.publisher.publish({ webhook, connections: scope });
    } catch (error) {
      this.deps.logger.error({ err: error }, 'could not publish whatsapp webhook; answering 503');
      throw new ServiceUnavailableException('The event bus is unavailable; retry later');
    }
    this.lastSeen.seen(touched);
  }
}

/** Parsed only after the signature matched, from the same bytes; malformed input gets a precise 400. */
function parseWebhook(raw: Buffer): WaWebhook {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new BadRequestException(`Body is not valid JSON: ${(error as Error).message}`);
  }
  const result = waWebhookSchema.safeParse(json);
  if (!result.success) {
    throw new BadRequestException(`Body is not a WhatsApp Business Account webhook: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}
