import { ServiceUnavailableException } from '@nestjs/common';
import { metaAppWebhookEndpoint, parseMetaWebhook, type WebhookEndpoint, type WebhookRateLimit } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import type { ChannelMetaMetrics } from '../channel-meta.metrics';
import type { MetaConnectionRecord, MetaConnectionRepository } from '../connections/meta-connection.repository';
import type { MetaCredentialsVault } from '../connections/meta-credentials.vault';
import type { MetaInboundPublisher } from './meta-inbound.publisher';
import type { MetaConnectionScope } from './meta-webhook.normaliser';
import { metaWebhookSchema } from './meta-webhook.schema';

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
 * POST /webhooks/meta, the Messenger/Instagram/comments webhook (metaAppWebhookEndpoint: one URL per Meta app,
 * objects "page" and "instagram", signed with the app's secret). 200 only once the events are durable on the bus
 * (Meta wants an answer within 5 s); forged (401) and malformed (400) requests store nothing; an outage answers
 * 503 and Meta retries (for about an hour, then unsubscribes).
 */
export function metaWebhookEndpoint(deps: MetaWebhookDeps, rateLimit?: WebhookRateLimit): WebhookEndpoint {
  return metaAppWebhookEndpoint<MetaConnectionRecord>({
    channel: 'meta',
    path: '/webhooks/meta',
    bodyLimitBytes: WEBHOOK_BODY_LIMIT_BYTES,
    connections: deps.connections,
    appSecretOf: (record) => deps.vault.open(record).appSecret,
    logger: deps.logger,
    duration: deps.metrics.webhookDuration,
    ...(rateLimit ? { rateLimit } : {}),
    receive: async (signers, raw) => {
      const webhook = parseMetaWebhook(raw, metaWebhookSchema, 'a Page or Instagram webhook');
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
      try {
        return await deps.publisher.publish(webhook, scope);
      } catch (error) {
        deps.logger.error({ err: error }, 'could not store meta webhook; answering 503');
        throw new ServiceUnavailableException('The event bus or database is unavailable; retry later');
      }
    },
  });
}
