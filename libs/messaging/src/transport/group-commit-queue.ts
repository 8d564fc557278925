/**
 * Gathers items from concurrent callers into one request (a broker send, a database transaction) while
 * the previous request is in flight ("group commit"). Every caller's promise settles with the request that carried its records,
 * so a webhook is answered only after its own records are acknowledged. One request in flight at a
 * time keeps per-key order across callers.
 */
export class GroupCommitQueue<T> {
  private pending: { items: readonly T[]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    private readonly send: (items: T[]) => Promise<void>,
    private readonly maxItemsPerRequest = 10_000,
    /**
     * When a combined request fails, retry each caller's items on their own, so one caller's bad input
     * (a poison record) fails only that caller. Right for work that can fail per item (a database
     * transaction); wrong for a broker that is down (every caller would wait twice).
     */
    private readonly isolateFailures = false,
    /**
     * Wait this long before each request so more callers join it (Kafka's linger.ms): fewer, larger
     * requests under load, at the price of this much added latency.
     */
    private readonly lingerMs = 0,
  ) {}

  enqueue(items: readonly T[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ items, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        if (this.lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, this.lingerMs));
        const group: typeof this.pending = [];
        let count = 0;
        while (this.pending.length > 0 && (group.length === 0 || count + this.pending[0]!.items.length <= this.maxItemsPerRequest)) {
          const next = this.pending.shift()!;
          group.push(next);
          count += next.items.length;
        }
        try {
          await this.send(group.flatMap((g) => g.items));
          for (const g of group) g.resolve();
        } catch (error) {
          if (!this.isolateFailures || group.length === 1) {
            for (const g of group) g.reject(error);
            continue;
          }
          for (const g of group) {
            try {
              await this.send([...g.items]);
              g.resolve();
            } catch (own) {
              g.reject(own);
            }
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
