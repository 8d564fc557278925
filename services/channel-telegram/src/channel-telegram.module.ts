import { Inject, Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { clientIp, rateLimit, type RateLimiter, type RateLimitMetrics } from '@switchboard/service-kit';
import express, { type Request } from 'express';
import { TELEGRAM_WEBHOOK_DEPS, TelegramWebhookController, type TelegramWebhookDeps } from './telegram-webhook.controller';

/** Webhook bodies are small JSON; anything larger is not a Telegram update. */
const WEBHOOK_BODY_LIMIT = '1mb';

/** Per (connection, client IP) webhook budget; omitted or perMinute 0 means no limit. */
export interface TelegramWebhookRateLimit {
  limiter: RateLimiter;
  perMinute: number;
  metrics: RateLimitMetrics;
}
const WEBHOOK_RATE_LIMIT = Symbol('TELEGRAM_WEBHOOK_RATE_LIMIT');

/**
 * The HTTP side of the connector. Long-lived collaborators (database, bus, pollers) are created by
 * startChannelTelegramService and handed in as values, so their start and stop order is explicit.
 */
@Module({})
export class ChannelTelegramModule implements NestModule {
  static forRoot(deps: TelegramWebhookDeps, rateLimitOptions?: TelegramWebhookRateLimit): DynamicModule {
    return {
      module: ChannelTelegramModule,
      controllers: [TelegramWebhookController],
      providers: [
        { provide: TELEGRAM_WEBHOOK_DEPS, useValue: deps },
        { provide: WEBHOOK_RATE_LIMIT, useValue: rateLimitOptions ?? null },
      ],
    };
  }

  constructor(@Inject(WEBHOOK_RATE_LIMIT) private readonly limit: TelegramWebhookRateLimit | null) {}

  configure(consumer: MiddlewareConsumer): void {
    // Raw bytes, whatever the content type: the controller parses them itself and answers 400 precisely.
    const raw = express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT });
    if (!this.limit || this.limit.perMinute === 0) {
      consumer.apply(raw).forRoutes(TelegramWebhookController);
      return;
    }
    // Counted before the body is read: a flood is refused without buffering it.
    const limited = rateLimit({
      limiter: this.limit.limiter,
      rule: { name: 'webhook-telegram', limit: this.limit.perMinute, windowSeconds: 60 },
      key: (req) => `${connectionIdOf(req)}:${clientIp(req)}`,
      metrics: this.limit.metrics,
    });
    consumer.apply(limited, raw).forRoutes(TelegramWebhookController);
  }
}

/** The last path segment of /webhooks/telegram/:connectionId (middleware may run before route params are set). */
function connectionIdOf(req: Request): string {
  const path = req.originalUrl.split('?')[0] ?? '';
  return path.slice(path.lastIndexOf('/') + 1).slice(0, 64);
}
