import { Inject, Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { webhookRateLimit, type WebhookRateLimit } from '@switchboard/service-kit';
import express from 'express';
import { WHATSAPP_WEBHOOK_DEPS, WhatsAppWebhookController, type WhatsAppWebhookDeps } from './webhook/whatsapp-webhook.controller';

/** A batch holds up to 1000 messages/statuses (CHANNELS.md 4); a few MB covers that with room to spare. */
const WEBHOOK_BODY_LIMIT = '8mb';
const WEBHOOK_RATE_LIMIT = Symbol('WHATSAPP_WEBHOOK_RATE_LIMIT');

/**
 * The HTTP side of the connector. Long-lived collaborators (database, bus, consumer) are created by
 * startChannelWhatsAppService and handed in as values, so their start and stop order is explicit.
 */
@Module({})
export class ChannelWhatsAppModule implements NestModule {
  /** `rateLimitOptions`: per client IP webhook budget; omitted or perMinute 0 means no limit. */
  static forRoot(deps: WhatsAppWebhookDeps, rateLimitOptions?: WebhookRateLimit): DynamicModule {
    return {
      module: ChannelWhatsAppModule,
      controllers: [WhatsAppWebhookController],
      providers: [
        { provide: WHATSAPP_WEBHOOK_DEPS, useValue: deps },
        { provide: WEBHOOK_RATE_LIMIT, useValue: rateLimitOptions ?? null },
      ],
    };
  }

  constructor(@Inject(WEBHOOK_RATE_LIMIT) private readonly limit: WebhookRateLimit | null) {}

  configure(consumer: MiddlewareConsumer): void {
    // Raw bytes, whatever the content type: the signature covers exactly these bytes.
    const raw = express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT });
    // Counted before the body is read, so a flood is refused without buffering it. One URL serves every
    // number of the app and the number is only known from the (unread) body, so the budget is per client
    // IP on this URL; the verification GET counts too.
    const limited = this.limit ? webhookRateLimit({ ...this.limit, channel: 'whatsapp', scope: () => 'app' }) : undefined;
    consumer.apply(...(limited ? [limited, raw] : [raw])).forRoutes(WhatsAppWebhookController);
  }
}
