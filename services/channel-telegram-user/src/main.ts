import { runServiceMain } from '@switchboard/service-kit';
import { CHANNEL_TELEGRAM_USER_SERVICE, channelTelegramUserConfigSchema } from './channel-telegram-user.config';
import { startChannelTelegramUserService } from './channel-telegram-user.bootstrap';

/** Distributed entry point: one process running the Telegram user-account connector. */
runServiceMain({ name: CHANNEL_TELEGRAM_USER_SERVICE, configSchema: channelTelegramUserConfigSchema, start: startChannelTelegramUserService });
