import { sentCommandsRetentionIndexDdl } from '@switchboard/messaging';
import type { SqlMigrationSpec } from '@switchboard/persistence';
import { CHANNEL_META_SCHEMA } from '../channel-meta.config';

/** The hourly retention delete of sent_commands (SENT_COMMANDS_RETENTION_HOURS) reads by age. */
export const sentCommandsRetentionMigration: SqlMigrationSpec = {
  name: 'ChannelMetaSentCommandsRetention1796900000404',
  ...sentCommandsRetentionIndexDdl(CHANNEL_META_SCHEMA),
};
