export { startChannelBridgeService, type RunningChannelBridge, type StartChannelBridgeOptions } from './channel-bridge.bootstrap';
export {
  CHANNEL_BRIDGE_SCHEMA,
  CHANNEL_BRIDGE_SERVICE,
  OUTBOUND_CONSUMER_GROUP,
  channelBridgeConfigSchema,
  type ChannelBridgeConfig,
} from './channel-bridge.config';
export { CHANNEL_BRIDGE_MIGRATIONS } from './migrations/0001-init.migration';
export { BridgeConnectionNotFoundError } from './connections/bridge-connection.errors';
export {
  BridgeConnectionService,
  connectBridgeInputSchema,
  inboundPathOf,
  type BridgeConnectionView,
  type BridgeConnectionWithSecret,
  type ConnectBridgeInput,
} from './connections/bridge-connection.service';
export { bridgeMessageSchema, type BridgeMessage } from './inbound/bridge-message.schema';
export { normaliseBridgeMessage, bridgeConnectionRef } from './inbound/bridge-message.normaliser';
export { IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER } from './inbound/bridge-inbound.endpoint';
export type { BridgeErrorBody, BridgeErrorCode } from './inbound/bridge-request.error';
export { ATTEMPT_HEADER } from './outbound/partner-http.client';
export type { PartnerAttachment, PartnerDeliveryPayload } from './outbound/partner-delivery.payload';
export type { DeadLetterView } from './outbound/dead-letter.service';
export { CHANNEL_BRIDGE_CREDENTIAL_COLUMNS } from './connections/bridge-credentials.constant';
