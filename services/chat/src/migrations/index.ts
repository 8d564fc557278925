import type { SqlMigrationSpec } from '@switchboard/persistence';
import { ChatInitMigration } from './0001-init.migration';
import { ChatInboxMigration } from './0002-inbox.migration';
import { ChatSearchMigration } from './0003-search.migration';
import { ChatFeedMigration } from './0004-feed.migration';
import { ChatActivityOrderMigration } from './0005-activity-order.migration';
import { ChatInboxPerformanceMigration } from './0006-inbox-performance.migration';
import { ChatEmployeesMigration } from './0007-employees.migration';
import { ChatOperatorsMigration } from './0008-chat-operators.migration';
import { ChatListCoveringMigration } from './0009-chat-list-covering.migration';
import { ChatAuditLogMigration } from './0010-audit-log.migration';
import { ChatFeedTraceContextMigration } from './0011-feed-trace-context.migration';
import { ChatTypingMigration } from './0012-typing.migration';
import { ChatSearchStatisticsMigration } from './0013-search-statistics.migration';
import { ChatMessageSearchHeadMigration } from './0014-message-search-head.migration';

/** In order; each name ends in its timestamp. */
export const CHAT_MIGRATIONS: readonly SqlMigrationSpec[] = [
  ChatInitMigration,
  ChatInboxMigration,
  ChatSearchMigration,
  ChatFeedMigration,
  ChatActivityOrderMigration,
  ChatInboxPerformanceMigration,
  ChatEmployeesMigration,
  ChatOperatorsMigration,
  ChatListCoveringMigration,
  ChatAuditLogMigration,
  ChatFeedTraceContextMigration,
  ChatTypingMigration,
  ChatSearchStatisticsMigration,
  ChatMessageSearchHeadMigration,
];
