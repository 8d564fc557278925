import type { SqlMigrationSpec } from '@switchboard/persistence';
import { auditLogTableDdl } from '@switchboard/service-kit';
import { CHANNEL_WHATSAPP_SCHEMA } from '../channel-whatsapp.config';

const audit = auditLogTableDdl(CHANNEL_WHATSAPP_SCHEMA);

/** The audit log of admin actions on WhatsApp connections (connect, disconnect). Decision 0027. */
export const auditLogMigration: SqlMigrationSpec = {
  name: 'ChannelWhatsAppAuditLog1796400000301',
  up: audit.up,
  down: audit.down,
};
