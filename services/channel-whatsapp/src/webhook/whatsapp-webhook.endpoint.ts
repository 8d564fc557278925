import { ServiceUnavailableException } from '@nestjs/common';
import { metaAppWebhookEndpoint, parseMetaWebhook, type WebhookEndpoint, type WebhookRateLimit } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import type { ChannelWhatsAppMetrics } from '../channel-whatsapp.metrics';
import type { WhatsAppConnectionRecord, WhatsAppConnectionRepository } from '../connections/whatsapp-connection.repository';
import type { WhatsAppCredentialsVault } from '../connections/whatsapp-credentials.vault';
import type { WhatsAppInboundPublisher } from './whatsapp-inbound.publisher';
import { whatsAppConnectionRef, type WhatsAppConnectionScope } from './whatsapp-webhook.normaliser';
import { waWebhookSchema } from './whatsapp-webhook.schema';

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
 * POST /webhooks/whatsapp, the Cloud API webhook (metaAppWebhookEndpoint: one URL per Meta app, signed with
 * the app's secret). Answered 200 only once its events are durable on the bus; forged (401) and malformed (400)
 * requests store nothing; a bus outage answers 503 and Meta retries (for up to 7 days).
 */
export function whatsAppWebhookEndpoint(deps: WhatsAppWebhookDeps, rateLimit?: WebhookRateLimit): WebhookEndpoint {
  return metaAppWebhookEndpoint<WhatsAppConnectionRecord>({
    channel: 'whatsapp',
    path: '/webhooks/whatsapp',
    bodyLimitBytes: WEBHOOK_BODY_LIMIT_BYTES,
    connections: deps.connections,
    appSecretOf: (record) => deps.vault.open(record).appSecret,
    logger: deps.logger,
    duration: deps.metrics.webhookDuration,
    ...(rateLimit ? { rateLimit } : {}),
    receive: async (signers, raw) => {
      const webhook = parseMetaWebhook(raw, waWebhookSchema, 'a WhatsApp Business Account webhook');
      // Only the numbers of the app that signed this body: another app's secret never vouches for them.
      const scope = new Map<string, WhatsAppConnectionScope>(
        signers.map((record) => [record.phoneNumberId, { ref: whatsAppConnectionRef(record), wabaId: record.wabaId }]),
      );
      try {
        return await deps.publisher.publish({ webhook, connections: scope });
      } catch (error) {
        deps.logger.error({ err: error }, 'could not publish whatsapp webhook; answering 503');
        throw new ServiceUnavailableException('The event bus is unavailable; retry later');
      }
    },
  });
}
