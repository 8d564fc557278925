import { BadRequestException, HttpException, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { HUB_SIGNATURE_HEADER, verifyHubSignature, webhookHeader, type WebhookEndpoint, type WebhookRateLimit } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChannelWhatsAppMetrics } from '../channel-whatsapp.metrics';
import type { WhatsAppConnectionRecord, WhatsAppConnectionRepository } from '../connections/whatsapp-connection.repository';
import type { WhatsAppCredentialsVault } from '../connections/whatsapp-credentials.vault';
import type { WhatsAppInboundPublisher } from './whatsapp-inbound.publisher';
import { whatsAppConnectionRef, type WhatsAppConnectionScope } from './whatsapp-webhook.normaliser';
import { waWebhookSchema, type WaWebhook } from './whatsapp-webhook.schema';

/** Connections (with decrypted app secrets) are remembered this long: busy numbers send many webhooks a second. */
const CONNECTION_CACHE_TTL_MS = 2_000;
/** last_webhook_at is informational: written at most this often per connection. */
const TOUCH_INTERVAL_MS = 5_000;
/** A batch holds up to 1000 messages/statuses (CHANNELS.md 4); a few MB covers that with room to spare. */
const WEBHOOK_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

export interface WhatsAppWebhookDeps {
  connections: WhatsAppConnectionRepository;
  vault: WhatsAppCredentialsVault;
  publisher: WhatsAppInboundPublisher;
  metrics: ChannelWhatsAppMetrics;
  logger: Logger;
}

interface SigningConnection {
  record: WhatsAppConnectionRecord;
  appSecret: string;
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
    ...(rateLimit ? { rateLimit: { ...rateLimit, scope: () => 'app' } } : {}),
    handle: async (request) => {
      await receiver.receive(webhookHeader(request, HUB_SIGNATURE_HEADER), request.body);
      return { status: 200, body: { ok: true } };
    },
  };
}

class WhatsAppWebhookReceiver {
  private cache?: { connections: SigningConnection[]; expiresAt: number };
  private readonly lastTouch = new Map<string, number>();

  constructor(private readonly deps: WhatsAppWebhookDeps) {}

  async receive(signature: string | undefined, raw: Buffer): Promise<void> {
    const endTimer = this.deps.metrics.webhookDuration.startTimer();
    let status = 200;
    try {
      await this.handle(signature, raw);
    } catch (error) {
      status = error instanceof HttpException ? error.getStatus() : 500;
      throw error;
    } finally {
      endTimer({ status: String(status) });
    }
  }

  private async handle(signature: string | undefined, raw: Buffer): Promise<void> {
    const signers = (await this.signingConnections()).filter((c) => verifyHubSignature(raw, signature, c.appSecret));
    if (signers.length === 0) throw new UnauthorizedException('X-Hub-Signature-256 is missing or does not match any connected app');
    const webhook = parseWebhook(raw);
    // Only the numbers of the app that signed this body: another app's secret never vouches for them.
    const scope = new Map<string, WhatsAppConnectionScope>(
      signers.map((c) => [c.record.phoneNumberId, { ref: whatsAppConnectionRef(c.record), wabaId: c.record.wabaId }]),
    );
    let touched: Set<string>;
    try {
      touched = await this.deps.publisher.publish({ webhook, connections: scope });
    } catch (error) {
      this.deps.logger.error({ err: error }, 'could not publish whatsapp webhook; answering 503');
      throw new ServiceUnavailableException('The event bus is unavailable; retry later');
    }
    this.touch([...touched]);
  }

  private async signingConnections(): Promise<SigningConnection[]> {
    if (this.cache && this.cache.expiresAt > Date.now()) return this.cache.connections;
    const records = await this.deps.connections.listReceiving();
    const connections = records.map((record) => ({ record, appSecret: this.deps.vault.open(record).appSecret }));
    this.cache = { connections, expiresAt: Date.now() + CONNECTION_CACHE_TTL_MS };
    return connections;
  }

  private touch(connectionIds: string[]): void {
    const now = Date.now();
    const due = connectionIds.filter((id) => now - (this.lastTouch.get(id) ?? 0) >= TOUCH_INTERVAL_MS);
    if (due.length === 0) return;
    for (const id of due) this.lastTouch.set(id, now);
    this.deps.connections
      .touchLastWebhook(due)
      .catch((error: unknown) => this.deps.logger.warn({ err: error, connectionIds: due }, 'could not record last_webhook_at'));
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
