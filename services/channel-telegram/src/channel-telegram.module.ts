import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import express from 'express';
import { TELEGRAM_WEBHOOK_DEPS, TelegramWebhookController, type TelegramWebhookDeps } from './telegram-webhook.controller';

/** Webhook bodies are small JSON; anything larger is not a Telegram update. */
const WEBHOOK_BODY_LIMIT = '1mb';

/**
 * The HTTP side of the connector. Long-lived collaborators (database, bus, pollers) are created by
 * startChannelTelegramService and handed in as values, so their start and stop order is explicit.
 */
@Module({})
export class ChannelTelegramModule implements NestModule {
  static forRoot(deps: TelegramWebhookDeps): DynamicModule {
    return {
      module: ChannelTelegramModule,
      controllers: [TelegramWebhookController],
      providers: [{ provide: TELEGRAM_WEBHOOK_DEPS, useValue: deps }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Raw bytes, whatever the content type: the controller parses them itself and answers 400 precisely.
    consumer.apply(express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT })).forRoutes(TelegramWebhookController);
  }
}
