import { sentCommandsRetentionIndexDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_WHATSAPP_SCHEMA } from '../channel-whatsapp.config';

/** The hourly retention delete of sent_commands (SENT_COMMANDS_RETENTION_HOURS) reads by age. */
export const sentCommandsRetentionMigration: SqlMigrationSpec = {
  name: 'ChannelWhatsAppSentCommandsRetention1796900000302',
  ...sentCommandsRetentionIndexDdl(CHANNEL_WHATSAPP_SCHEMA),
};
