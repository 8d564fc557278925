import type { Logger } from 'pino';
import type { InboundRequestRepository } from './inbound-request.repository';

/** How often expired Idempotency-Keys are deleted; the retention is hours, so hourly is precise enough. */
const PURGE_INTERVAL_MS = 60 * 60_000;

/** Forgets Idempotency-Keys after the retention, so the table does not grow without bound. */
export class IdempotencyKeyJanitor {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly deps: { requests: InboundRequestRepository; retentionHours: number; logger: Logger }) {}

  start(): void {
    this.timer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    // The timer alone must not keep a process alive that is otherwise done.
    this.timer.unref();
  }

  async purge(): Promise<number> {
    const work = this.deps.requests.purgeOlderThan(this.deps.retentionHours);
    this.running = work.then(
      () => undefined,
      () => undefined,
    );
    try {
      const purged = await work;
      if (purged > 0) this.deps.logger.info({ purged }, 'expired idempotency keys purged');
      return purged;
    } catch (error) {
      this.deps.logger.error({ err: error }, 'could not purge expired idempotency keys; trying again next interval');
      return 0;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
