import { sleep } from '@switchboard/messaging';
import type { Logger } from 'pino';
import { asRpcError, isSessionDead } from '../client/telegram-rpc-error';
import type { MediaDownload, TelegramUserClient, TelegramUserClientFactory } from '../client/telegram-user-client.port';
import type { ChannelTelegramUserMetrics } from '../channel-telegram-user.metrics';
import type { TelegramUserConnectionRepository } from '../connections/connection.repository';
import type { SessionVault } from '../connections/session.vault';
import type { TelegramUserInboundStore } from '../inbound/telegram-user-inbound.store';
import type { TypingPublisher } from '../inbound/typing.publisher';
import type { AccountLeaseRepository } from '../lease/account-lease.repository';
import { LeaseKeeper } from '../lease/lease-keeper';
import type { OutboundCommandRepository } from '../outbound/outbound-command.repository';
import type { OutboundFiles } from '../outbound/telegram-user-send';
import { LiveAccount, type LiveAccountSettings } from './live-account';

/** What an account's runner on this instance is doing (the health view shows it). */
export type RunnerState = 'standby' | 'connecting' | 'live' | 'retrying' | 'ended';

export interface AccountRunnerDeps {
  holder: string;
  clientFactory: TelegramUserClientFactory;
  connections: TelegramUserConnectionRepository;
  leases: AccountLeaseRepository;
  commands: OutboundCommandRepository;
  store: TelegramUserInboundStore;
  sessions: SessionVault;
  typing: TypingPublisher;
  files: OutboundFiles;
  metrics: ChannelTelegramUserMetrics;
  settings: LiveAccountSettings & { leaseTtlMs: number };
  logger: Logger;
}

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 60_000;

/**
 * Runs one account on this instance whenever it can hold the account's lease: standby while another
 * instance holds it, then one term per lease (connect, back-fill, updates, sends) until the lease is lost,
 * the instance stops, or the session dies (then the account is marked for an admin and the runner ends).
 */
export class AccountRunner {
  private running = false;
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;
  private live?: LiveAccount;
  private failures = 0;
  state: RunnerState = 'standby';
  private readonly logger: Logger;

  constructor(
    readonly connectionId: string,
    private readonly deps: AccountRunnerDeps,
  ) {
    this.logger = deps.logger.child({ component: 'telegram-user-account', connectionId });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await this.loop;
  }

  /** Resolves when the runner ended by itself (the account is no longer active or its session died). */
  get done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  notifyWork(): void {
    this.live?.notifyWork();
  }

  /** Undefined unless the account is live on this instance (only the lease holder may use the session). */
  downloadMedia(params: { messageId: number; maxBytes: number }): Promise<MediaDownload> | undefined {
    return this.state === 'live' && this.live ? this.live.downloadMedia(params) : undefined;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const sentAt = Date.now();
      let token: number | undefined;
      try {
        token = await this.deps.leases.acquire(this.connectionId, this.deps.holder, this.deps.settings.leaseTtlMs);
      } catch (error) {
        this.logger.error({ err: error }, 'acquiring the account lease failed');
        await this.pause();
        continue;
      }
      if (token === undefined) {
        this.state = 'standby';
        // Another instance runs the account; a third of the TTL keeps takeover within about 1.3 TTL of its crash.
        await sleep(this.deps.settings.leaseTtlMs / 3, this.stopping.signal);
        continue;
      }
      this.deps.metrics.leaseChanges.inc({ event: 'acquired' });
      const next = await this.term(token, sentAt);
      if (next === 'end') break;
      if (next === 'retry') await this.pause();
    }
    this.state = 'ended';
  }

  /** One lease term. 'again' after a clean stop or a lost lease, 'retry' after a failure, 'end' when the account should not run. */
  private async term(fencingToken: number, acquiredAtLocal: number): Promise<'again' | 'retry' | 'end'> {
    const keeper = new LeaseKeeper({
      leases: this.deps.leases,
      connectionId: this.connectionId,
      holder: this.deps.holder,
      fencingToken,
      ttlMs: this.deps.settings.leaseTtlMs,
      acquiredAtLocal,
      logger: this.logger,
    });
    keeper.start();
    const ended = new AbortController();
    const signal = AbortSignal.any([this.stopping.signal, keeper.lost, ended.signal]);
    let fatal: { error: unknown; sessionDead: boolean } | undefined;
    let client: TelegramUserClient | undefined;
    let wasLive = false;
    try {
      const record = await this.deps.connections.findById(this.connectionId);
      if (!record || record.state !== 'active') return 'end';
      this.state = 'connecting';
      client = this.deps.clientFactory(this.deps.sessions.openForConnection(record.sessionCiphertext, record.id));
      const live = new LiveAccount({
        connectionId: this.connectionId,
        holder: this.deps.holder,
        fencingToken,
        client,
        connections: this.deps.connections,
        commands: this.deps.commands,
        store: this.deps.store,
        typing: this.deps.typing,
        files: this.deps.files,
        metrics: this.deps.metrics,
        settings: this.deps.settings,
        logger: this.logger,
        signal,
        onFatal: (error, sessionDead) => {
          fatal ??= { error, sessionDead };
          ended.abort();
        },
      });
      this.live = live;
      // Raced with the signal: a lease lost while opening (a database call hanging) must still stop the client in time.
      const opening = live.open();
      const termOver = new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      await Promise.race([opening, termOver]);
      if (signal.aborted) {
        opening.catch((error: unknown) => this.logger.warn({ err: error }, 'opening the account failed after its term had ended'));
      } else {
        wasLive = true;
        this.deps.metrics.liveClients.inc();
        this.state = 'live';
        this.failures = 0;
        this.logger.info({ fencingToken }, 'account is live on this instance');
      }
      await termOver;
      // The client goes first: work still in hand (a database call that hangs) must not keep it connected
      // past the lease, or a standby's client would run beside it.
      const connected = client;
      client = undefined;
      await connected.disconnect().catch((error: unknown) => this.logger.warn({ err: error }, 'disconnecting the telegram client failed'));
      await live.closed();
    } catch (error) {
      fatal ??= { error, sessionDead: isSessionDead(error) };
    } finally {
      keeper.stop();
      ended.abort();
      this.live = undefined;
      if (wasLive) this.deps.metrics.liveClients.dec();
      await client?.disconnect().catch((error: unknown) => this.logger.warn({ err: error }, 'disconnecting the telegram client failed'));
      if (!keeper.lost.aborted) {
        await this.deps.leases
          .release(this.connectionId, this.deps.holder, fencingToken)
          .then(() => this.deps.metrics.leaseChanges.inc({ event: 'released' }))
          .catch((error: unknown) => this.logger.warn({ err: error }, 'releasing the lease failed; it expires by itself'));
      } else {
        this.deps.metrics.leaseChanges.inc({ event: 'lost' });
      }
    }
    if (!fatal) return 'again';
    return this.afterFailure(fatal.error, fatal.sessionDead);
  }

  private async afterFailure(error: unknown, sessionDead: boolean): Promise<'retry' | 'end'> {
    const rpc = asRpcError(error);
    const reason = rpc ? rpc.errorMessage : error instanceof Error ? error.message : String(error);
    if (sessionDead) {
      this.logger.error({ reason }, 'telegram session is no longer valid; the account must log in again');
      try {
        await this.deps.connections.markBroken(this.connectionId, `Telegram ended the session (${reason}): log the account in again`);
        return 'end';
      } catch (markError) {
        // Not recorded: try again, and the next term meets the same answer and records it then.
        this.logger.error({ err: markError }, 'marking the account broken failed');
        return 'retry';
      }
    }
    this.failures += 1;
    this.logger.error({ err: error, failures: this.failures }, 'account client failed; retrying');
    const hint = rpc?.errorMessage === 'AUTH_KEY_DUPLICATED' ? ' (the session was used by another client at the same time)' : '';
    await this.deps.connections
      .noteError(this.connectionId, `${reason}${hint}`)
      .catch((noteError: unknown) => this.logger.error({ err: noteError }, 'recording the account error failed'));
    return 'retry';
  }

  private async pause(): Promise<void> {
    this.state = 'retrying';
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.failures, 6));
    await sleep(delay, this.stopping.signal);
  }
}
