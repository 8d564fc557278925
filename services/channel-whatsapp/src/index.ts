export { startChannelWhatsAppService, type RunningChannelWhatsApp, type StartChannelWhatsAppOptions } from './channel-whatsapp.bootstrap';
export {
  CHANNEL_WHATSAPP_SCHEMA,
  CHANNEL_WHATSAPP_SERVICE,
  OUTBOUND_CONSUMER_GROUP,
  channelWhatsAppConfigSchema,
  type ChannelWhatsAppConfig,
} from './channel-whatsapp.config';
export { CHANNEL_WHATSAPP_MIGRATIONS } from './migrations/0001-init.migration';
export {
  normaliseWebhook,
  whatsAppConnectionRef,
  type NormalisedBatch,
  type NormalisedEvent,
  type WhatsAppConnectionScope,
} from './webhook/whatsapp-webhook.normaliser';
export { waWebhookSchema, type WaWebhook } from './webhook/whatsapp-webhook.schema';
export { planSends, splitText } from './outbound/whatsapp-send.plan';
export { meaningOf } from './graph-api/graph-error.mapping';
export { GraphApiError, GraphNetworkError } from '@switchboard/service-kit';
export { WhatsAppConnectionNotFoundError, WhatsAppCredentialsRejectedError } from './connections/whatsapp-connection.errors';
export {
  WhatsAppConnectionService,
  connectNumberInputSchema,
  type ConnectNumberInput,
  type WhatsAppConnectionView,
} from './connections/whatsapp-connection.service';
export { CHANNEL_WHATSAPP_CREDENTIAL_COLUMNS } from './connections/whatsapp-credentials.constant';
