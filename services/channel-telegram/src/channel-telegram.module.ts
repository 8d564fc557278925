import { Inject, Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { lastPathSegment, webhookRateLimit, type WebhookRateLimit } from '@switchboard/service-kit';
import express from 'express';
import { TELEGRAM_WEBHOOK_DEPS, TelegramWebhookController, type TelegramWebhookDeps } from './telegram-webhook.controller';

/** Webhook bodies are small JSON; anything larger is not a Telegram update. */
const WEBHOOK_BODY_LIMIT = '1mb';
const WEBHOOK_RATE_LIMIT = Symbol('TELEGRAM_WEBHOOK_RATE_LIMIT');

/**
 * The HTTP side of the connector. Long-lived collaborators (database, bus, pollers) are created by
 * startChannelTelegramService and handed in as values, so their start and stop order is explicit.
 */
@Module({})
export class ChannelTelegramModule implements NestModule {
  /** `rateLimitOptions`: per (connection, client IP) webhook budget; omitted or perMinute 0 means no limit. */
  static forRoot(deps: TelegramWebhookDeps, rateLimitOptions?: WebhookRateLimit): DynamicModule {
    return {
      module: ChannelTelegramModule,
      controllers: [TelegramWebhookController],
      providers: [
        { provide: TELEGRAM_WEBHOOK_DEPS, useValue: deps },
        { provide: WEBHOOK_RATE_LIMIT, useValue: rateLimitOptions ?? null },
      ],
    };
  }

  constructor(@Inject(WEBHOOK_RATE_LIMIT) private readonly limit: WebhookRateLimit | null) {}

  configure(consumer: MiddlewareConsumer): void {
    // Raw bytes, whatever the content type: the controller parses them itself and answers 400 precisely.
    const raw = express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT });
    // Counted before the body is read: a flood is refused without buffering it. The path is
    // /webhooks/telegram/:connectionId, so each bot has its own budget per address.
    const limited = this.limit ? webhookRateLimit({ ...this.limit, channel: 'telegram', scope: lastPathSegment }) : undefined;
    consumer.apply(...(limited ? [limited, raw] : [raw])).forRoutes(TelegramWebhookController);
  }
}
