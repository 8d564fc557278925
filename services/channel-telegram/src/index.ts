export { startChannelTelegramService, type RunningChannelTelegram, type StartChannelTelegramOptions } from './channel-telegram.bootstrap';
export {
  CHANNEL_TELEGRAM_SCHEMA,
  CHANNEL_TELEGRAM_SERVICE,
  OUTBOUND_CONSUMER_GROUP,
  channelTelegramConfigSchema,
  type ChannelTelegramConfig,
} from './channel-telegram.config';
export { CHANNEL_TELEGRAM_MIGRATIONS } from './migrations/0001-init.migration';
export { normaliseTelegramUpdate, telegramConnectionRef, updateKind, type NormalisedUpdate, type InboundKind } from './telegram-update.normaliser';
export { ALLOWED_UPDATES, type TgUpdate, type TgMessage } from './telegram-update.schema';
export { TelegramApiError, TelegramBotApiClient, TelegramNetworkError } from './telegram-bot-api.client';
export { TelegramConnectionNotFoundError, TelegramTokenRejectedError, TelegramWebhookRejectedError } from './telegram-connection.errors';
export {
  TelegramConnectionService,
  connectBotInputSchema,
  type ConnectBotInput,
  type TelegramConnectionView,
} from './telegram-connection.service';
export { splitMessageText } from './telegram-text.util';
export { CHANNEL_TELEGRAM_CREDENTIAL_COLUMNS } from './telegram-credentials.constant';
