import { z } from 'zod';
import { env } from '../config/load-config';
import { deleteOlderThan, type PeriodicJobs, type RetentionExecutor } from './periodic-jobs';

/** Settings of the connectors that remember send outcomes (a `sent_commands` table) to make redelivered commands idempotent. */
export const sentCommandsConfigSchema = z.object({
  /**
   * How long a send command's outcome is remembered. A command redelivered after that would reach the customer
   * again, so keep it above the outbound topic's retention (Kafka's default is 7 days; commands are normally
   * consumed within seconds).
   */
  SENT_COMMANDS_RETENTION_HOURS: env.hours(336, 24, 'a redelivered send command must still find its outcome'),
});

/** Adds the housekeeping job that forgets send outcomes past retention (by created_at, the one retention delete). */
export function retainSentCommands(jobs: PeriodicJobs, db: RetentionExecutor, table: string, retentionHours: number): PeriodicJobs {
  return jobs.retain('sent commands', retentionHours, (olderThan) => deleteOlderThan(db, table, 'created_at', olderThan));
}
