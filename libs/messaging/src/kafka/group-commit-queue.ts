/**
 * Gathers records from concurrent callers into one broker request while the previous request is in
 * flight ("group commit"). Every caller's promise settles with the request that carried its records,
 * so a webhook is answered only after its own records are acknowledged. One request in flight at a
 * time keeps per-key order across callers.
 */
export class GroupCommitQueue<T> {
  private pending: { items: readonly T[]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    private readonly send: (items: T[]) => Promise<void>,
    private readonly maxItemsPerRequest = 10_000,
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
          for (const g of group) g.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
