import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import express from 'express';
import { WHATSAPP_WEBHOOK_DEPS, WhatsAppWebhookController, type WhatsAppWebhookDeps } from './webhook/whatsapp-webhook.controller';

/** A batch holds up to 1000 messages/statuses (CHANNELS.md 4); a few MB covers that with room to spare. */
const WEBHOOK_BODY_LIMIT = '8mb';

/**
 * The HTTP side of the connector. Long-lived collaborators (database, bus, consumer) are created by
 * startChannelWhatsAppService and handed in as values, so their start and stop order is explicit.
 */
@Module({})
export class ChannelWhatsAppModule implements NestModule {
  static forRoot(deps: WhatsAppWebhookDeps): DynamicModule {
    return {
      module: ChannelWhatsAppModule,
      controllers: [WhatsAppWebhookController],
      providers: [{ provide: WHATSAPP_WEBHOOK_DEPS, useValue: deps }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Raw bytes, whatever the content type: the signature covers exactly these bytes.
    consumer.apply(express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT })).forRoutes(WhatsAppWebhookController);
  }
}
