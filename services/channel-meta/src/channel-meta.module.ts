import { Inject, Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { webhookRateLimit, type WebhookRateLimit } from '@switchboard/service-kit';
import { META_WEBHOOK_DEPS, MetaWebhookController } from './webhook/meta-webhook.controller';
import type { MetaWebhookDeps } from './webhook/meta-webhook.endpoint';

const WEBHOOK_RATE_LIMIT = Symbol('META_WEBHOOK_RATE_LIMIT');

/**
 * The HTTP side of the connector. Long-lived collaborators (database, bus, consumer) are created by
 * startChannelMetaService and handed in as values, so their start and stop order is explicit.
 */
@Module({})
export class ChannelMetaModule implements NestModule {
  /** The verification GET; `rateLimitOptions`: the webhook's per client IP budget; omitted or perMinute 0 means no limit. */
  static forRoot(deps: Pick<MetaWebhookDeps, 'connections' | 'logger'>, rateLimitOptions?: WebhookRateLimit): DynamicModule {
    return {
      module: ChannelMetaModule,
      controllers: [MetaWebhookController],
      providers: [
        { provide: META_WEBHOOK_DEPS, useValue: deps },
        { provide: WEBHOOK_RATE_LIMIT, useValue: rateLimitOptions ?? null },
      ],
    };
  }

  constructor(@Inject(WEBHOOK_RATE_LIMIT) private readonly limit: WebhookRateLimit | null) {}

  configure(consumer: MiddlewareConsumer): void {
    // The verification GET shares the webhook's budget (per client IP on this URL; the POSTs are counted by
    // metaWebhookEndpoint, decision 0060).
    const limited = this.limit ? webhookRateLimit({ ...this.limit, channel: 'meta', scope: () => 'app' }) : undefined;
    if (limited) consumer.apply(limited).forRoutes(MetaWebhookController);
  }
}
