import type { Logger } from 'pino';
import type { MediaDownload } from '../client/telegram-user-client.port';
import type { TelegramUserConnectionRepository } from '../connections/connection.repository';
import { AccountRunner, type AccountRunnerDeps, type RunnerState } from './account-runner';

/**
 * Keeps one AccountRunner per active account on this instance (each either live or standing by for the
 * lease), starting runners for accounts connected anywhere and stopping those disconnected anywhere.
 */
export class AccountSupervisor {
  private readonly runners = new Map<string, AccountRunner>();
  private timer?: NodeJS.Timeout;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly deps: {
      connections: TelegramUserConnectionRepository;
      runner: AccountRunnerDeps;
      /** How often the account list is re-read (changes made on other instances). */
      syncIntervalMs: number;
      logger: Logger;
    },
  ) {}

  async start(): Promise<void> {
    await this.sync();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.syncing;
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
    this.runners.clear();
  }

  /** An account was connected, reconnected or disconnected on this instance: act now, not at the next sync. */
  async refresh(): Promise<void> {
    await this.sync();
  }

  notifyWork(connectionId: string): void {
    this.runners.get(connectionId)?.notifyWork();
  }

  /** Undefined when the account is not live on this instance. */
  downloadMedia(connectionId: string, params: { messageId: number; maxBytes: number }): Promise<MediaDownload> | undefined {
    return this.runners.get(connectionId)?.downloadMedia(params);
  }

  stateOf(connectionId: string): RunnerState | undefined {
    return this.runners.get(connectionId)?.state;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.sync().finally(() => this.schedule());
    }, this.deps.syncIntervalMs);
  }

  private sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.syncOnce()).catch((error: unknown) => {
      // The next sync retries; runners already started keep running meanwhile.
      this.deps.logger.error({ err: error }, 'reading the telegram user accounts failed');
    });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    if (this.stopped) return;
    const active = new Set(await this.deps.connections.listActiveIds());
    for (const [id, runner] of this.runners) {
      if (active.has(id) && runner.state !== 'ended') continue;
      this.runners.delete(id);
      await runner.stop();
    }
    for (const id of active) {
      if (this.runners.has(id) || this.stopped) continue;
      const runner = new AccountRunner(id, this.deps.runner);
      this.runners.set(id, runner);
      runner.start();
    }
  }
}
