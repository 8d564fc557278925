import type { Logger } from 'pino';
import type { AccountLeaseRepository } from './account-lease.repository';

export interface LeaseKeeperOptions {
  leases: AccountLeaseRepository;
  connectionId: string;
  holder: string;
  fencingToken: number;
  ttlMs: number;
  /** When the acquire query was sent: the lease lasts ttl from at least then. */
  acquiredAtLocal: number;
  logger: Logger;
}

/**
 * Keeps a held lease alive: renews it every third of its TTL and aborts `lost` when a renewal is refused,
 * or when no renewal succeeded before the lease may expire (database unreachable or a renewal hanging).
 * The deadline runs on its own timer, measured from before the last successful renewal was sent, minus a
 * margin, so the holder stops its client before any standby can take over: never two live clients.
 */
export class LeaseKeeper {
  private readonly controller = new AbortController();
  private renewTimer?: NodeJS.Timeout;
  private deadlineTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: LeaseKeeperOptions) {}

  /** Aborted when the lease is lost (with the reason). */
  get lost(): AbortSignal {
    return this.controller.signal;
  }

  start(): void {
    this.armDeadline(this.options.acquiredAtLocal);
    this.scheduleRenewal();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.renewTimer);
    clearTimeout(this.deadlineTimer);
  }

  private armDeadline(validFromLocal: number): void {
    clearTimeout(this.deadlineTimer);
    const deadline = validFromLocal + this.options.ttlMs - margin(this.options.ttlMs);
    this.deadlineTimer = setTimeout(() => this.lose('the lease could not be renewed before it would expire'), Math.max(0, deadline - Date.now()));
  }

  private scheduleRenewal(): void {
    if (this.stopped || this.controller.signal.aborted) return;
    this.renewTimer = setTimeout(() => void this.renew(), this.options.ttlMs / 3);
  }

  private async renew(): Promise<void> {
    if (this.stopped || this.controller.signal.aborted) return;
    const sentAt = Date.now();
    try {
      const renewed = await this.options.leases.renew(this.options.connectionId, this.options.holder, this.options.fencingToken, this.options.ttlMs);
      if (!renewed) return this.lose('the lease expired or another instance took it over');
      if (!this.stopped) this.armDeadline(sentAt);
    } catch (error) {
      // Not lost yet: the next renewal retries, and the deadline timer stops the client in time if none succeeds.
      this.options.logger.warn({ err: error, connectionId: this.options.connectionId }, 'lease renewal failed; retrying until the lease would expire');
    }
    this.scheduleRenewal();
  }

  private lose(reason: string): void {
    if (this.stopped || this.controller.signal.aborted) return;
    clearTimeout(this.renewTimer);
    clearTimeout(this.deadlineTimer);
    this.options.logger.warn({ connectionId: this.options.connectionId, reason }, 'account lease lost; stopping the client');
    this.controller.abort(new Error(reason));
  }
}

/** Stop this long before the lease could expire: covers timer lateness and the renewal's own latency. */
function margin(ttlMs: number): number {
  return Math.min(2_000, Math.floor(ttlMs / 5));
}
