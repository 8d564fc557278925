import { queryRows } from '@switchboard/persistence';
import type { LiveFeedStore, Logger } from '@switchboard/service-kit';
import type { DataSource } from 'typeorm';
import { emitRemindersFired } from './reminder-events';
import type { ReminderRow } from './reminder.row';

export interface ReminderSchedulerOptions {
  dataSource: DataSource;
  /** Fired reminders go to the owner's live subscription through this feed, in the firing transaction. */
  feed: LiveFeedStore;
  logger: Logger;
  /** The longest sleep without looking (reminders written by other instances); see decision 0022. */
  pollMs: number;
  /** Called after a transaction that fired reminders committed (wakes the outbox relay and feed readers). */
  onFired: (fired: readonly ReminderRow[]) => void;
  batchSize?: number;
  retryDelayMs?: number;
}

/**
 * Fires due reminders exactly once, however many instances run (decision 0022). Each round claims due
 * reminders with SELECT ... FOR UPDATE SKIP LOCKED and, in the same transaction, marks them fired and puts
 * tasks.reminder-fired in the outbox: a reminder another instance is firing is skipped, one it fired no
 * longer matches, and the event (outbox and live feed) exists exactly when the state change does. A crash before commit leaves
 * the reminder scheduled, so the next round (on any instance, after any restart) fires it.
 *
 * Between rounds it sleeps until the next due time (read from the database's clock), at most `pollMs`,
 * and is woken at once by writes on this instance (`wake`).
 */
export class ReminderScheduler {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: () => void = () => undefined;
  private pendingWake = false;

  constructor(private readonly options: ReminderSchedulerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** A fire time was written on this instance: look again now rather than after the current sleep. */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp();
  }

  /** Finishes the round in hand (its transaction commits or rolls back), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp();
    await this.loop;
  }

  /** One round: fires what is due now (up to a batch) and returns it. Exposed for tests and tools. */
  async fireDue(): Promise<ReminderRow[]> {
    const fired = await this.options.dataSource.transaction(async (manager) => {
      const rows = await queryRows<ReminderRow>(
        manager,
        `WITH due AS (
           SELECT id FROM tasks.reminders WHERE state = 'scheduled' AND fire_at <= now()
           ORDER BY fire_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
         UPDATE tasks.reminders r SET state = 'fired', fired_at = now(), firings = r.firings + 1, updated_at = now()
         FROM due WHERE r.id = due.id
         RETURNING r.*, r.fire_at::text AS sort_key`,
        [this.options.batchSize ?? 100],
      );
      await emitRemindersFired(manager, this.options.feed, rows);
      return rows;
    });
    if (fired.length > 0) {
      this.options.logger.info({ reminderIds: fired.map((r) => r.id) }, 'reminders fired');
      this.options.onFired(fired);
    }
    return fired;
  }

  /** Milliseconds until the next scheduled reminder is due by the database's clock; undefined when none is. */
  async msUntilNextDue(): Promise<number | undefined> {
    const rows = await queryRows<{ ms: string | null }>(
      this.options.dataSource,
      `SELECT (EXTRACT(EPOCH FROM (min(fire_at) - clock_timestamp())) * 1000)::text AS ms FROM tasks.reminders WHERE state = 'scheduled'`,
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? undefined : Math.max(0, Number(ms));
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 100;
    while (this.running) {
      try {
        this.pendingWake = false;
        const fired = await this.fireDue();
        if (fired.length === batchSize) continue;
        const untilNext = await this.msUntilNextDue();
        // +1 ms: a timer never fires early, and landing exactly on fire_at must not find it "not yet due".
        const sleepMs = untilNext === undefined ? this.options.pollMs : Math.min(Math.ceil(untilNext) + 1, this.options.pollMs);
        if (!this.pendingWake) await this.idle(sleepMs);
      } catch (error) {
        this.options.logger.error({ err: error }, 'firing reminders failed; will retry');
        await this.idle(this.options.retryDelayMs ?? 500);
      }
    }
  }

  private idle(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = () => undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
