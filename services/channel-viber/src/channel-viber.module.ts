import { Inject, Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { lastPathSegment, webhookRateLimit, type WebhookRateLimit } from '@switchboard/service-kit';
import express from 'express';
import { VIBER_WEBHOOK_DEPS, ViberWebhookController, type ViberWebhookDeps } from './viber-webhook.controller';

/** Viber callbacks are small JSON; anything larger is not one. */
const WEBHOOK_BODY_LIMIT = '1mb';
const WEBHOOK_RATE_LIMIT = Symbol('VIBER_WEBHOOK_RATE_LIMIT');

/**
 * The HTTP side of the connector. Long-lived collaborators are created by startChannelViberService and
 * handed in as values, so their start and stop order is explicit.
 */
@Module({})
export class ChannelViberModule implements NestModule {
  /** `rateLimitOptions`: per (connection, client IP) webhook budget; omitted or perMinute 0 means no limit. */
  static forRoot(deps: ViberWebhookDeps, rateLimitOptions?: WebhookRateLimit): DynamicModule {
    return {
      module: ChannelViberModule,
      controllers: [ViberWebhookController],
      providers: [
        { provide: VIBER_WEBHOOK_DEPS, useValue: deps },
        { provide: WEBHOOK_RATE_LIMIT, useValue: rateLimitOptions ?? null },
      ],
    };
  }

  constructor(@Inject(WEBHOOK_RATE_LIMIT) private readonly limit: WebhookRateLimit | null) {}

  configure(consumer: MiddlewareConsumer): void {
    // Raw bytes, whatever the content type: the signature covers exactly these bytes.
    const raw = express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT });
    // Counted before the body is read: a flood is refused without buffering it. The path is
    // /webhooks/viber/:connectionId, so each bot has its own budget per address.
    const limited = this.limit ? webhookRateLimit({ ...this.limit, channel: 'viber', scope: lastPathSegment }) : undefined;
    consumer.apply(...(limited ? [limited, raw] : [raw])).forRoutes(ViberWebhookController);
  }
}
