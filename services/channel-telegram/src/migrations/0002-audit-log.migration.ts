import type { SqlMigrationSpec } from '@switchboard/persistence';
import { auditLogTableDdl } from '@switchboard/service-kit';
import { CHANNEL_TELEGRAM_SCHEMA } from '../channel-telegram.config';

const audit = auditLogTableDdl(CHANNEL_TELEGRAM_SCHEMA);

/** The audit log of admin actions on Telegram connections (connect, disconnect, webhook re-registration). */
export const auditLogMigration: SqlMigrationSpec = {
  name: 'ChannelTelegramAuditLog1796400000101',
  up: audit.up,
  down: audit.down,
};
