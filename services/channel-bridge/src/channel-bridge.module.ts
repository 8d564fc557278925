import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import express from 'express';
import { BRIDGE_INBOUND_DEPS, BridgeInboundController, type BridgeInboundDeps } from './inbound/bridge-inbound.controller';

/** One customer message with attachment metadata (not bytes) is small; anything larger is refused (413). */
const INBOUND_BODY_LIMIT = '256kb';

/**
 * The HTTP side of the bridge. Long-lived collaborators (database, bus, worker) are created by
 * startChannelBridgeService and handed in as values, so their start and stop order is explicit.
 */
@Module({})
export class ChannelBridgeModule implements NestModule {
  static forRoot(deps: BridgeInboundDeps): DynamicModule {
    return {
      module: ChannelBridgeModule,
      controllers: [BridgeInboundController],
      providers: [{ provide: BRIDGE_INBOUND_DEPS, useValue: deps }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Raw bytes, whatever the content type: the signature is over these exact bytes.
    consumer.apply(express.raw({ type: () => true, limit: INBOUND_BODY_LIMIT })).forRoutes(BridgeInboundController);
  }
}
