import { BadRequestException, HttpException, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { HUB_SIGNATURE_HEADER, verifyHubSignature, webhookHeader, type WebhookEndpoint, type WebhookRateLimit } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChannelMetaMetrics } from '../channel-meta.metrics';
import type { MetaConnectionRecord, MetaConnectionRepository } from '../connections/meta-connection.repository';
import type { MetaCredentialsVault } from '../connections/meta-credentials.vault';
import type { MetaInboundPublisher } from './meta-inbound.publisher';
import type { MetaConnectionScope } from './meta-webhook.normaliser';
import { metaWebhookSchema, type MetaWebhook } from './meta-webhook.schema';

/** Connections (with decrypted app secrets) are remembered this long: busy Pages send many webhooks a second. */
const CONNECTION_CACHE_TTL_MS = 2_000;
/** last_webhook_at is informational: written at most this often per connection. */
const TOUCH_INTERVAL_MS = 5_000;
/** Batches hold many entries; a few MB covers them with room to spare. */
const WEBHOOK_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

export interface MetaWebhookDeps {
  connections: MetaConnectionRepository;
  vault: MetaCredentialsVault;
  publisher: MetaInboundPublisher;
  metrics: ChannelMetaMetrics;
  logger: Logger;
}

interface SigningConnection {
  record: MetaConnectionRecord;
  appSecret: string;
}

/**
 * POST /webhooks/meta, the Messenger/Instagram/comments webhook: one callback URL per Meta app (objects
 * "page" and "instagram"), taking batches signed with the app secret. 200 only once the events are durable on
 * the bus (Meta wants an answer within 5 s); forged (401) and malformed (400) requests store nothing; an
 * outage answers 503 and Meta retries (for about an hour, then unsubscribes). The Page is only known from the
 * body, so the rate limit (counted before the body is read) is per client IP on this URL; the verification
 * GET shares that budget.
 */
export function metaWebhookEndpoint(deps: MetaWebhookDeps, rateLimit?: WebhookRateLimit): WebhookEndpoint {
  const receiver = new MetaWebhookReceiver(deps);
  return {
    channel: 'meta',
    path: '/webhooks/meta',
    bodyLimitBytes: WEBHOOK_BODY_LIMIT_BYTES,
    ...(rateLimit ? { rateLimit: { ...rateLimit, scope: () => 'app' } } : {}),
    handle: async (request) => {
      await receiver.receive(webhookHeader(request, HUB_SIGNATURE_HEADER), request.body);
      return { status: 200, body: { ok: true } };
    },
  };
}

class MetaWebhookReceiver {
  private cache?: { connections: SigningConnection[]; expiresAt: number };
  private readonly lastTouch = new Map<string, number>();

  constructor(private readonly deps: MetaWebhookDeps) {}

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
    // Only the Pages (and their Instagram accounts) of the app that signed: another app's secret never vouches for them.
    const scope = new Map<string, MetaConnectionScope>();
    for (const { record } of signers) {
      const view: MetaConnectionScope = {
        id: record.id,
        pageId: record.pageId,
        pageDisplayName: record.displayName,
        instagramAccountId: record.instagramAccountId,
        instagramDisplayName: record.instagramUsername ? `@${record.instagramUsername}` : null,
      };
      scope.set(record.pageId, view);
      if (record.instagramAccountId) scope.set(record.instagramAccountId, view);
    }
    let touched: Set<string>;
    try {
      touched = await this.deps.publisher.publish(webhook, scope);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'could not store meta webhook; answering 503');
      throw new ServiceUnavailableException('The event bus or database is unavailable; retry later');
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
function parseWebhook(raw: Buffer): MetaWebhook {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new BadRequestException(`Body is not valid JSON: ${(error as Error).message}`);
  }
  const result = metaWebhookSchema.safeParse(json);
  if (!result.success) throw new BadRequestException(`Body is not a Page or Instagram webhook: ${z.prettifyError(result.error)}`);
  return result.data;
}
