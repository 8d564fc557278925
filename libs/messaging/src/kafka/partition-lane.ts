import type { ConsumedRecord } from '../transport/bus-transport';

export interface LaneChunk {
  records: ConsumedRecord[];
  /** Offset to commit once handled: the last record's offset + 1 (Kafka commits the next position). */
  nextOffset: string;
}

/**
 * One partition's handling queue in a pipelined Kafka consumer: fetched chunks are handled strictly one
 * after another, in offset order, while the consumer already fetches what comes next. What was handled
 * is what may be committed; nothing else.
 */
export class PartitionLane {
  private readonly queue: LaneChunk[] = [];
  private busy: Promise<void> | undefined;
  private queuedRecords = 0;
  private waiters: (() => void)[] = [];
  /** The position after the last handled record (what may be committed), undefined before the first. */
  handledNext: string | undefined;
  committedNext: string | undefined;
  /** Set when a chunk failed: the lane handles nothing more; the consumer restarts from its commit. */
  failed = false;

  constructor(
    private readonly handle: (chunk: LaneChunk) => Promise<void>,
    private readonly onFailure: (error: unknown) => void,
    private readonly isActive: () => boolean,
  ) {}

  get backlog(): number {
    return this.queuedRecords;
  }

  enqueue(chunk: LaneChunk): void {
    if (this.failed) return;
    this.queue.push(chunk);
    this.queuedRecords += chunk.records.length;
    this.busy ??= this.run();
  }

  /** Resolves once at most `limit` records wait in this lane (fetching pauses for it: backpressure). */
  async waitBelow(limit: number, heartbeat: () => Promise<void>): Promise<void> {
    while (this.queuedRecords > limit && !this.failed && this.isActive()) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1_000).unref();
      });
      await heartbeat().catch(() => undefined);
    }
  }

  /** Resolves when the chunk in hand (if any) is done; queued chunks are dropped when inactive. */
  async idle(): Promise<void> {
    while (this.busy) await this.busy;
  }

  private async run(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.failed) {
        const chunk = this.queue.shift()!;
        this.queuedRecords -= chunk.records.length;
        this.wakeWaiters();
        // Stopping or rebalancing: leave the rest uncommitted; its next owner (or restart) fetches it again.
        if (!this.isActive()) {
          this.queue.length = 0;
          this.queuedRecords = 0;
          break;
        }
        try {
          await this.handle(chunk);
          this.handledNext = chunk.nextOffset;
        } catch (error) {
          this.failed = true;
          this.queue.length = 0;
          this.queuedRecords = 0;
          this.onFailure(error);
        }
      }
    } finally {
      this.busy = undefined;
      this.wakeWaiters();
    }
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
