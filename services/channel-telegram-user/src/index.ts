export {
  startChannelTelegramUserService,
  type RunningChannelTelegramUser,
  type StartChannelTelegramUserOptions,
} from './channel-telegram-user.bootstrap';
export {
  CHANNEL_TELEGRAM_USER_SCHEMA,
  CHANNEL_TELEGRAM_USER_SERVICE,
  TELEGRAM_USER_OUTBOUND_CONSUMER_GROUP,
  channelTelegramUserConfigSchema,
  type ChannelTelegramUserConfig,
} from './channel-telegram-user.config';
export { CHANNEL_TELEGRAM_USER_MIGRATIONS } from './migrations/0001-init.migration';
export type * from './client/telegram-user-client.port';
export { TelegramRpcError } from './client/telegram-rpc-error';
export { gramJsClientFactory } from './client/gramjs-telegram-user.client';
export { planUpdate, planMessage, contentOf, TELEGRAM_SERVICE_USER_ID, type UpdatePlan, type PlannedMessage } from './inbound/telegram-user-update.normaliser';
export { sendCommand, splitText, randomIdOf, TELEGRAM_TEXT_LIMIT, TELEGRAM_CAPTION_LIMIT, type OutboundFiles } from './outbound/telegram-user-send';
export { TelegramUserLoginError, TelegramUserLoginNotFoundError, TelegramUserApiNotConfiguredError } from './login/login.errors';
export type { LoginView } from './login/login.service';
export type { TelegramUserConnectionView } from './connections/connection.service';
