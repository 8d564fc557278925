export { startChannelViberService, type RunningChannelViber, type StartChannelViberOptions } from './channel-viber.bootstrap';
export {
  CHANNEL_VIBER_SCHEMA,
  CHANNEL_VIBER_SERVICE,
  VIBER_OUTBOUND_CONSUMER_GROUP,
  channelViberConfigSchema,
  type ChannelViberConfig,
} from './channel-viber.config';
export { CHANNEL_VIBER_MIGRATIONS } from './migrations/0001-init.migration';
export { planViberCallback, viberConnectionRef, type CallbackPlan } from './viber-callback.normaliser';
export { parseViberJson } from './viber-json.util';
export { ViberApiClient, ViberApiError, ViberNetworkError, VIBER_EVENT_TYPES } from './viber-api.client';
export { statusMeaning, VIBER_STATUS } from './viber-status';
export { planViberMessages, viberMediaRefusal } from './viber-outbound.plan';
export { ViberConnectionNotFoundError, ViberTokenRejectedError, ViberWebhookRejectedError, ViberWebhookUrlMissingError } from './viber-connection.errors';
export { ViberConnectionService, connectViberBotInputSchema, type ConnectViberBotInput, type ViberConnectionView } from './viber-connection.service';
export { CHANNEL_VIBER_CREDENTIAL_COLUMNS } from './viber-credentials.constant';
