export interface GroupCommitOptions {
  /** Most items one request carries; callers beyond it wait for the next request. */
  maxItemsPerRequest?: number;
  /**
   * When a combined request fails, retry each caller's items on their own, so one caller's bad input
   * (a poison record) fails only that caller. Right for work that can fail per item (a database
   * transaction); wrong for a broker that is down (every caller would wait twice).
   */
  isolateFailures?: boolean;
  /**
   * Least gap between one request settling and the next starting, so that under load more callers join
   * each request (what Kafka's linger.ms is for): fewer, larger requests. Unlike linger.ms the wait counts
   * from the previous request, not from the caller's arrival, so a caller that finds the queue idle for
   * longer than this is sent at once: light load pays no latency for batching it does not need.
   */
  lingerMs?: number;
  /**
   * Requests that may run at once (default 1). More than one only when callers never share a key whose
   * order matters: the chat service's callers are Kafka partitions, each of which hands over its next
   * batch only after the previous one settled, so their requests never hold the same chat. One request in
   * flight is what keeps per-key order across callers that do share keys (a producer).
   */
  maxInFlight?: number;
}

/**
 * Gathers items from concurrent callers into one request (a broker send, a database transaction) while
 * earlier requests are in flight ("group commit"). Every caller's promise settles with the request that
 * carried its items, so a webhook is answered only after its own records are acknowledged.
 */
export class GroupCommitQueue<T> {
  private pending: { items: readonly T[]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;
  /** performance.now() when the last request settled; -Infinity before the first. */
  private lastSettledAt = Number.NEGATIVE_INFINITY;
  private readonly maxItemsPerRequest: number;
  private readonly isolateFailures: boolean;
  private readonly lingerMs: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly send: (items: T[]) => Promise<void>,
    options: GroupCommitOptions = {},
  ) {
    this.maxItemsPerRequest = options.maxItemsPerRequest ?? 10_000;
    this.isolateFailures = options.isolateFailures ?? false;
    this.lingerMs = options.lingerMs ?? 0;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  }

  enqueue(items: readonly T[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ items, resolve, reject });
      if (this.inFlight < this.maxInFlight) void this.flush();
    });
  }

  /** One flusher: takes what is pending, sends it, repeats while there is more. Up to maxInFlight run at once. */
  private async flush(): Promise<void> {
    this.inFlight += 1;
    try {
      while (this.pending.length > 0) {
        const linger = this.lastSettledAt + this.lingerMs - performance.now();
        // No await when there is nothing to wait for: the idle case sends in the caller's own tick.
        if (linger >= 1) await new Promise((resolve) => setTimeout(resolve, linger));
        const group = this.takeGroup();
        if (group.length === 0) break;
        try {
          await this.sendAndNote(group.flatMap((g) => g.items));
          for (const g of group) g.resolve();
        } catch (error) {
          if (!this.isolateFailures || group.length === 1) {
            for (const g of group) g.reject(error);
            continue;
          }
          for (const g of group) {
            try {
              await this.sendAndNote([...g.items]);
              g.resolve();
            } catch (own) {
              g.reject(own);
            }
          }
        }
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  private async sendAndNote(items: T[]): Promise<void> {
    try {
      await this.send(items);
    } finally {
      this.lastSettledAt = performance.now();
    }
  }

  private takeGroup(): typeof this.pending {
    const group: typeof this.pending = [];
    let count = 0;
    while (this.pending.length > 0 && (group.length === 0 || count + this.pending[0]!.items.length <= this.maxItemsPerRequest)) {
      const next = this.pending.shift()!;
      group.push(next);
      count += next.items.length;
    }
    return group;
  }
}
