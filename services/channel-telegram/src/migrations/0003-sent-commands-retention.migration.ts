import { sentCommandsRetentionIndexDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_TELEGRAM_SCHEMA } from '../channel-telegram.config';

/** The hourly retention delete of sent_commands (SENT_COMMANDS_RETENTION_HOURS) reads by age. */
export const sentCommandsRetentionMigration: SqlMigrationSpec = {
  name: 'ChannelTelegramSentCommandsRetention1796900000102',
  ...sentCommandsRetentionIndexDdl(CHANNEL_TELEGRAM_SCHEMA),
};
