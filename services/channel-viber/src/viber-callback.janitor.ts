import type { Logger } from 'pino';
import type { ViberInboundStore } from './viber-inbound.store';

const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/** Prunes old callback dedupe rows hourly. Every instance may run it: the DELETE is idempotent. */
export class ViberCallbackJanitor {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly deps: { store: ViberInboundStore; retentionHours: number; logger: Logger }) {}

  start(): void {
    this.timer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    // A timer must not keep a stopping process alive.
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass; a failure is logged and the next pass tries again (the rows only wait longer). */
  prune(): Promise<void> {
    this.running = (async () => {
      const cutoff = new Date(Date.now() - this.deps.retentionHours * 3_600_000);
      try {
        const removed = await this.deps.store.pruneCallbacks(cutoff);
        if (removed > 0) this.deps.logger.info({ removed, cutoff: cutoff.toISOString() }, 'old viber callback dedupe rows pruned');
      } catch (error) {
        this.deps.logger.error({ err: error }, 'pruning viber callback dedupe rows failed; retrying next hour');
      }
    })();
    return this.running;
  }
}
