import type { Logger } from 'pino';

/** Runs SQL: a DataSource or an EntityManager. */
export interface RetentionExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * The one retention delete: rows of `table` (schema-qualified, quoted as needed) whose `column` is before
 * `olderThan`; answers how many went, the same way on PostgreSQL and PGlite.
 */
export async function deleteOlderThan(db: RetentionExecutor, table: string, column: string, olderThan: Date): Promise<number> {
  const rows = (await db.query(`WITH gone AS (DELETE FROM ${table} WHERE ${column} < $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`, [olderThan])) as { n: number }[];
  return rows[0]?.n ?? 0;
}

interface Job {
  name: string;
  everyMs: number;
  run: () => Promise<void>;
  timer?: NodeJS.Timeout;
  /** The run in flight, if any: a slow run is never overlapped by the next tick. */
  running?: Promise<void>;
}

/**
 * A service's housekeeping: jobs that run on a fixed interval (retention deletes, health checks). A run
 * that fails is logged and the job runs again at its next interval; a tick that finds the previous run
 * still going is skipped. Every instance may run every job: each must be safe to run concurrently
 * (a DELETE by age is). stop() clears the timers and waits for the runs in flight, so a stopping service
 * does not close its database under a running DELETE.
 */
export class PeriodicJobs {
  private readonly jobs: Job[] = [];
  private started = false;

  constructor(private readonly logger: Logger) {}

  /** Adds a job; runs from start() on, every `everyMs`. */
  every(name: string, everyMs: number, run: () => Promise<void>): this {
    if (!(everyMs > 0)) throw new Error(`periodic job ${name}: interval must be positive, got ${everyMs}`);
    this.jobs.push({ name, everyMs, run });
    return this;
  }

  /**
   * Adds a job that deletes what is older than `retentionHours`, hourly (or at `everyMs`): `purge` gets the
   * cutoff and answers how many rows went, which is logged when any did.
   */
  retain(name: string, retentionHours: number, purge: (olderThan: Date) => Promise<number>, everyMs = 60 * 60_000): this {
    if (!(retentionHours > 0)) throw new Error(`retention job ${name}: retention must be positive, got ${retentionHours} hours`);
    return this.every(name, everyMs, async () => {
      const olderThan = new Date(Date.now() - retentionHours * 3_600_000);
      const removed = await purge(olderThan);
      if (removed > 0) this.logger.info({ job: name, removed, olderThan: olderThan.toISOString() }, `${name}: removed ${removed} rows past retention`);
    });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const job of this.jobs) {
      job.timer = setInterval(() => void this.tick(job), job.everyMs);
      // Housekeeping alone must not keep a process alive that is otherwise done.
      job.timer.unref();
    }
  }

  /** Runs every job once now (or the one named) and waits for them: start-up catch-up, and tests. */
  async runNow(name?: string): Promise<void> {
    const jobs = this.jobs.filter((job) => name === undefined || job.name === name);
    if (name !== undefined && jobs.length === 0) throw new Error(`no periodic job named ${name}`);
    await Promise.all(jobs.map((job) => this.tick(job)));
  }

  async stop(): Promise<void> {
    for (const job of this.jobs) clearInterval(job.timer);
    await Promise.all(this.jobs.map((job) => job.running));
  }

  private tick(job: Job): Promise<void> {
    job.running ??= job
      .run()
      .catch((error: unknown) => this.logger.error({ err: error, job: job.name }, `${job.name} failed; it runs again in ${job.everyMs} ms`))
      .finally(() => {
        job.running = undefined;
      });
    return job.running;
  }
}
