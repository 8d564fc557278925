import type { Logger } from 'pino';

/**
 * Records when a connection last received a webhook (`last_webhook_at` and the like: what channel health
 * shows), at most once per `intervalMs` per connection: the column is informational, and a busy connection
 * would otherwise write a row per request. A failed write is logged and left to the next one.
 */
export class LastSeenWriter {
  private readonly lastWritten = new Map<string, number>();
  private readonly intervalMs: number;

  constructor(
    private readonly options: {
      /** Writes the time for these connections (one statement for all of them, where the repository can). */
      write: (connectionIds: string[]) => Promise<unknown>;
      /** The column, for the log line of a failed write. */
      column: string;
      logger: Logger;
      intervalMs?: number;
    },
  ) {
    this.intervalMs = options.intervalMs ?? 5_000;
  }

  seen(connectionIds: Iterable<string>): void {
    const now = Date.now();
    const due = [...connectionIds].filter((id) => now - (this.lastWritten.get(id) ?? 0) >= this.intervalMs);
    if (due.length === 0) return;
    if (this.lastWritten.size > 10_000) this.lastWritten.clear();
    for (const id of due) this.lastWritten.set(id, now);
    this.options.write(due).catch((error: unknown) => this.options.logger.warn({ err: error, connectionIds: due }, `could not record ${this.options.column}`));
  }
}
