import { Inject, Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { webhookRateLimit, type WebhookRateLimit } from '@switchboard/service-kit';
import express, { type Request } from 'express';
import { BRIDGE_INBOUND_DEPS, BridgeInboundController, type BridgeInboundDeps } from './inbound/bridge-inbound.controller';
import { BridgeRequestError } from './inbound/bridge-request.error';

/** One customer message with attachment metadata (not bytes) is small; anything larger is refused (413). */
const INBOUND_BODY_LIMIT = '256kb';
const INBOUND_RATE_LIMIT = Symbol('BRIDGE_INBOUND_RATE_LIMIT');

/**
 * The connection id of a /bridge/v1/connections/:connectionId/messages request, read from the URL because
 * the limit runs before routing sets params. Capped, so a caller cannot grow the limiter's keys with it.
 */
export function inboundConnectionSegment(req: Request): string {
  const path = req.originalUrl.split('?')[0] ?? '';
  return (/\/connections\/([^/]*)\/messages\/?$/.exec(path)?.[1] ?? '').slice(0, 64);
}

/**
 * The HTTP side of the bridge. Long-lived collaborators (database, bus, worker) are created by
 * startChannelBridgeService and handed in as values, so their start and stop order is explicit.
 */
@Module({})
export class ChannelBridgeModule implements NestModule {
  /** `rateLimitOptions`: per (connection, client IP) budget of partner requests; omitted or perMinute 0 means no limit. */
  static forRoot(deps: BridgeInboundDeps, rateLimitOptions?: WebhookRateLimit): DynamicModule {
    return {
      module: ChannelBridgeModule,
      controllers: [BridgeInboundController],
      providers: [
        { provide: BRIDGE_INBOUND_DEPS, useValue: deps },
        { provide: INBOUND_RATE_LIMIT, useValue: rateLimitOptions ?? null },
      ],
    };
  }

  constructor(@Inject(INBOUND_RATE_LIMIT) private readonly limit: WebhookRateLimit | null) {}

  configure(consumer: MiddlewareConsumer): void {
    // Raw bytes, whatever the content type: the signature is over these exact bytes.
    const raw = express.raw({ type: () => true, limit: INBOUND_BODY_LIMIT });
    // Counted before the body is read or the signature checked: a flood is refused without buffering it or
    // spending an HMAC and a database lookup on it. Each connection has its own budget per address.
    const limited = this.limit
      ? webhookRateLimit({
          ...this.limit,
          channel: 'bridge',
          scope: inboundConnectionSegment,
          // The partner API promises one error shape (docs/bridge.md, "Errors"), 429 included.
          refusedBody: (decision) =>
            new BridgeRequestError(429, 'rate_limited', `Too many requests for this connection; retry after ${decision.retryAfterSeconds} s with the same Idempotency-Key`).toBody(),
        })
      : undefined;
    consumer.apply(...(limited ? [limited, raw] : [raw])).forRoutes(BridgeInboundController);
  }
}
