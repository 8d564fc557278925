import { runServiceMain } from '@switchboard/service-kit';
import { CHANNEL_TELEGRAM_SERVICE, channelTelegramConfigSchema } from './channel-telegram.config';
import { startChannelTelegramService } from './channel-telegram.bootstrap';

/** Distributed entry point: one process running the Telegram connector (scale out by running more: Kafka splits the outbound partitions). */
runServiceMain({ name: CHANNEL_TELEGRAM_SERVICE, configSchema: channelTelegramConfigSchema, start: (startChannelTelegramService) });
