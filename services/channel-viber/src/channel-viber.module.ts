import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import express from 'express';
import { VIBER_WEBHOOK_DEPS, ViberWebhookController, type ViberWebhookDeps } from './viber-webhook.controller';

/** Viber callbacks are small JSON; anything larger is not one. */
const WEBHOOK_BODY_LIMIT = '1mb';

/**
 * The HTTP side of the connector. Long-lived collaborators are created by startChannelViberService and
 * handed in as values, so their start and stop order is explicit.
 */
@Module({})
export class ChannelViberModule implements NestModule {
  static forRoot(deps: ViberWebhookDeps): DynamicModule {
    return { module: ChannelViberModule, controllers: [ViberWebhookController], providers: [{ provide: VIBER_WEBHOOK_DEPS, useValue: deps }] };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Raw bytes, whatever the content type: the signature covers exactly these bytes.
    consumer.apply(express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT })).forRoutes(ViberWebhookController);
  }
}
