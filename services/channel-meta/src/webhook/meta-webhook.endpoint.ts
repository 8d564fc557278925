import { BadRequestException, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { HUB_SIGNATURE_HEADER, LastSeenWriter, MetaAppSigners, webhookHeader, type WebhookEndpoint, type WebhookRateLimit } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChannelMetaMetrics } from '../channel-meta.metrics';
import type { MetaConnectionRecord, MetaConnectionRepository } from '../connections/meta-connection.repository';
import type { MetaCredentialsVault } from '../connections/meta-credentials.vault';
import type { MetaInboundPublisher } from './meta-inbound.publisher';
import type { MetaConnectionScope } from './meta-webhook.normaliser';
import { metaWebhookSchema, type MetaWebhook } from './meta-webhook.schema';

/** Batches hold many entries; a few MB covers them with room to spare. */
const WEBHOOK_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

export interface MetaWebhookDeps {
  connections: MetaConnectionRepository;
  vault: MetaCredentialsVault;
  publisher: MetaInboundPublisher;
  metrics: ChannelMetaMetrics;
  logger: Logger;
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
    duration: deps.metrics.webhookDuration,
    ...(rateLimit ? { rateLimit: { ...rateLimit, scope: () => 'app' } } : {}),
    handle: async (request) => {
      await receiver.receive(webhookHeader(request, HUB_SIGNATURE_HEADER), request.body);
      return { status: 200, body: { ok: true } };
    },
  };
}

class MetaWebhookReceiver {
  private readonly signers: MetaAppSigners<MetaConnectionRecord>;
  private readonly lastSeen: LastSeenWriter;

  constructor(private readonly deps: MetaWebhookDeps) {
    this.signers = new MetaAppSigners({ listReceiving: () => deps.connections.listReceiving(), appSecretOf: (record) => deps.vault.open(record).appSecret });
    this.lastSeen = new LastSeenWriter({ write: (ids) => deps.connections.touchLastWebhook(ids), column: 'last_webhook_at', logger: deps.logger });
  }

  async receive(signature: string | undefined, raw: Buffer): Promise<void> {
    const signers = await this.signers.signersOf(raw, signature);
    if (signers.length === 0) throw new UnauthorizedException('X-Hub-Signature-256 is missing or does not match any connected app');
    const webhook = parseWebhook(raw);
    // Only the Pages (and their Instagram accounts) of the app that signed: another app's secret never vouches for them.
    const scope = new Map<string, MetaConnectionScope>();
    for (const record of signers) {
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
    this.lastSeen.seen(touched);
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
