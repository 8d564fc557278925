import { sentCommandsRetentionIndexDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_VIBER_SCHEMA } from '../channel-viber.config';

/** The hourly retention delete of sent_commands (SENT_COMMANDS_RETENTION_HOURS) reads by age. */
export const sentCommandsRetentionMigration: SqlMigrationSpec = {
  name: 'ChannelViberSentCommandsRetention1796900000203',
  ...sentCommandsRetentionIndexDdl(CHANNEL_VIBER_SCHEMA),
};
