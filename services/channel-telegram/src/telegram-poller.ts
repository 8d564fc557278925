import { sleep } from '@switchboard/messaging';
import { Client } from 'pg';
import type { Logger } from 'pino';
import type { TelegramApiFactory } from './telegram-bot-api.client';
import type { TelegramConnectionRecord, TelegramConnectionRepository } from './telegram-connection.repository';
import type { TelegramInboundPublisher } from './telegram-inbound.publisher';
import type { TelegramTokenVault } from './telegram-token.vault';
import { ALLOWED_UPDATES } from './telegram-update.schema';

export interface TelegramPollerDeps {
  databaseUrl: string;
  repository: TelegramConnectionRepository;
  publisher: TelegramInboundPublisher;
  api: TelegramApiFactory;
  tokens: TelegramTokenVault;
  pollTimeoutSeconds: number;
  lockRetryMs: number;
  logger: Logger;
}

const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * Long-polls one bot. Per batch: publish every normalised event (awaited), then persist
 * offset = last update_id + 1, so a crash re-reads a batch and never skips one. Only the instance that
 * holds the connection's PostgreSQL session advisory lock polls (Telegram allows one getUpdates per bot);
 * the others retry the lock, which makes them warm standbys.
 */
export class TelegramPoller {
  private running = false;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private lockClient?: Client;
  private failures = 0;
  private readonly logger: Logger;

  constructor(
    readonly connectionId: string,
    private readonly deps: TelegramPollerDeps,
  ) {
    this.logger = deps.logger.child({ component: 'telegram-poller', connectionId });
  }

  /** Resolves when the loop ended (stopped, or the connection is no longer a polling one). */
  get done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Aborts the in-flight long poll and waits for the loop (a batch being published finishes first). */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    try {
      while (this.running) {
        try {
          if (!(await this.holdLock())) {
            await sleep(this.deps.lockRetryMs, this.abort.signal);
            continue;
          }
          const connection = await this.deps.repository.findById(this.connectionId);
          if (!connection || connection.state === 'disconnected' || connection.mode !== 'polling') {
            this.logger.info('connection is no longer polling; poller ends');
            break;
          }
          await this.pollOnce(connection);
        } catch (error) {
          if (!this.running) break;
          await this.recordFailure(error);
        }
      }
    } finally {
      await this.releaseLock();
    }
  }

  private async pollOnce(connection: TelegramConnectionRecord): Promise<void> {
    const api = this.deps.api(this.deps.tokens.open(connection));
    const updates = await api.getUpdates(
      {
        ...(connection.pollingOffset !== null ? { offset: connection.pollingOffset } : {}),
        limit: 100,
        timeoutSeconds: this.deps.pollTimeoutSeconds,
        allowedUpdates: ALLOWED_UPDATES,
      },
      this.abort.signal,
    );
    if (updates.length > 0) {
      await this.deps.publisher.publish(connection, updates);
      const next = Math.max(...updates.map((u) => u.update_id)) + 1;
      await this.deps.repository.savePollingOffset(connection.id, next);
    }
    if (this.failures > 0 || connection.state === 'error') {
      this.failures = 0;
      await this.deps.repository.markHealthy(connection.id);
    }
  }

  private async recordFailure(error: unknown): Promise<void> {
    this.failures += 1;
    const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (this.failures - 1));
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error({ err: error, failures: this.failures, retryInMs: delay }, 'telegram long poll failed; backing off');
    try {
      await this.deps.repository.recordError(this.connectionId, message);
    } catch (recordError) {
      this.logger.error({ err: recordError }, 'could not record the poller error on the connection');
    }
    await sleep(delay, this.abort.signal);
  }

  /** Takes (or confirms) the advisory lock on a dedicated session; false when another instance has it. */
  private async holdLock(): Promise<boolean> {
    if (this.lockClient) return true;
    const client = new Client({ connectionString: this.deps.databaseUrl, application_name: 'channel-telegram-poller' });
    // A broken lock session means the lock is gone: drop it so the next turn re-acquires (or yields).
    client.on('error', (error) => {
      this.logger.error({ err: error }, 'poller lock connection failed; re-acquiring');
      if (this.lockClient === client) this.lockClient = undefined;
    });
    await client.connect();
    try {
      const result = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtext('telegram-poller:' || $1::text)) AS locked`,
        [this.connectionId],
      );
      if (result.rows[0]?.locked) {
        this.lockClient = client;
        this.logger.info('poller lock acquired');
        return true;
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    await client.end();
    return false;
  }

  private async releaseLock(): Promise<void> {
    const client = this.lockClient;
    this.lockClient = undefined;
    if (!client) return;
    try {
      // Ending the session releases session locks anyway; unlocking first makes the hand-over immediate.
      await client.query(`SELECT pg_advisory_unlock(hashtext('telegram-poller:' || $1::text))`, [this.connectionId]);
    } catch (error) {
      this.logger.warn({ err: error }, 'poller lock release failed; closing the session releases it');
    } finally {
      await client.end().catch((error: unknown) => this.logger.warn({ err: error }, 'poller lock session did not close cleanly'));
    }
  }
}

/** One poller per polling connection in this process; refreshes periodically so standbys find new bots. */
export class TelegramPollerPool {
  private readonly pollers = new Map<string, TelegramPoller>();
  private refreshTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly deps: TelegramPollerDeps,
    private readonly refreshIntervalMs = 30_000,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.refreshTimer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.deps.logger.error({ err: error }, 'refreshing telegram pollers failed'));
    }, this.refreshIntervalMs);
    this.refreshTimer.unref();
  }

  async refresh(): Promise<void> {
    const connections = await this.deps.repository.listActivePolling();
    for (const connection of connections) this.ensure(connection.id);
  }

  ensure(connectionId: string): void {
    if (this.stopped || this.pollers.has(connectionId)) return;
    const poller = new TelegramPoller(connectionId, this.deps);
    this.pollers.set(connectionId, poller);
    poller.start();
    void poller.done.then(() => {
      if (this.pollers.get(connectionId) === poller) this.pollers.delete(connectionId);
    });
  }

  async stopOne(connectionId: string): Promise<void> {
    const poller = this.pollers.get(connectionId);
    this.pollers.delete(connectionId);
    await poller?.stop();
  }

  has(connectionId: string): boolean {
    return this.pollers.has(connectionId);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    const all = [...this.pollers.values()];
    this.pollers.clear();
    await Promise.all(all.map((p) => p.stop()));
  }
}
