import type { SqlMigrationSpec } from '@switchboard/persistence';
import { auditLogTableDdl } from '@switchboard/service-kit';
import { CHAT_SCHEMA } from '../chat.config';

const audit = auditLogTableDdl(CHAT_SCHEMA);

/**
 * The audit log of admin actions in the chat service (decision 0027): connection members, status list
 * changes (create, rename, close/reopen, reorder) and chat deletion, each written in the transaction of its
 * change. Only a new table: nothing the running version reads changes, so it is safe ahead of a rollout.
 */
export const ChatAuditLogMigration: SqlMigrationSpec = {
  name: 'ChatAuditLog1764000000010',
  up: audit.up,
  down: audit.down,
};
