import type { ConnectionRef } from '@switchboard/contracts';
import { sleep } from '@switchboard/messaging';
import type { Logger } from 'pino';
import { floodWaitSeconds, isSessionDead } from '../client/telegram-rpc-error';
import type { ClientEvent, InputPeerUserRef, MediaDownload, TelegramUserClient, TlAnyMessage, TlUser } from '../client/telegram-user-client.port';
import type { ChannelTelegramUserMetrics } from '../channel-telegram-user.metrics';
import type { PeerRecord, TelegramUserConnectionRepository } from '../connections/connection.repository';
import { peerOf } from '../inbound/telegram-user.profile';
import type { TelegramUserInboundStore } from '../inbound/telegram-user-inbound.store';
import { planMessage, planUpdate, TELEGRAM_SERVICE_USER_ID } from '../inbound/telegram-user-update.normaliser';
import type { TypingPublisher } from '../inbound/typing.publisher';
import type { ClaimedCommand, OutboundCommandRepository, SendOutcome } from '../outbound/outbound-command.repository';
import { SendInterruptedError, sendCommand, type OutboundFiles, type SendResult } from '../outbound/telegram-user-send';

export interface LiveAccountSettings {
  floodWaitMaxSeconds: number;
  sendAttempts: number;
  backfillLimit: number;
  backfillDialogs: number;
  /** How often the send queue is looked at when no in-process wake-up came (commands queued by other instances). */
  sendPollMs: number;
}

export interface LiveAccountDeps {
  connectionId: string;
  holder: string;
  fencingToken: number;
  client: TelegramUserClient;
  connections: TelegramUserConnectionRepository;
  commands: OutboundCommandRepository;
  store: TelegramUserInboundStore;
  typing: TypingPublisher;
  /** Operators' files to send, read from the files service. */
  files: OutboundFiles;
  metrics: ChannelTelegramUserMetrics;
  settings: LiveAccountSettings;
  logger: Logger;
  /** Ends this term (lease lost, stop, or the session died). */
  signal: AbortSignal;
  /** Ends the term after a failure; sessionDead when the account must log in again. */
  onFatal: (error: unknown, sessionDead: boolean) => void;
}

/** Telegram serves at most 100 messages per history call. */
const HISTORY_PAGE = 100;

/**
 * One account while this instance holds its lease: the client's updates are handled one at a time, in
 * arrival order, together with back-fills (after connecting and after every reconnect), so a chat's
 * events reach the outbox in order; the send loop drains the account's queue beside them.
 */
export class LiveAccount {
  private chain: Promise<void> = Promise.resolve();
  private selfUserId = '';
  private connection!: ConnectionRef;
  private disconnected = false;
  private sending?: Promise<void>;
  private wake?: () => void;
  private sendLoop?: Promise<void>;
  private openGate?: () => void;
  private readonly logger: Logger;

  constructor(private readonly deps: LiveAccountDeps) {
    this.logger = deps.logger;
  }

  /** Resolves when the client is connected, authorised and the first back-fill is queued. */
  async open(): Promise<void> {
    const { client } = this.deps;
    // Events that arrive while connecting wait behind this gate, so nothing is handled before we know who we are.
    this.chain = new Promise<void>((resolve) => (this.openGate = resolve));
    const unsubscribe = client.onEvent((event) => this.enqueue(() => this.handle(event)));
    this.deps.signal.addEventListener('abort', unsubscribe, { once: true });
    await client.connect();
    const me = await client.getMe();
    this.selfUserId = me.id.toString();
    const record = await this.deps.connections.findById(this.deps.connectionId);
    if (!record) throw new Error(`connection ${this.deps.connectionId} vanished`);
    this.connection = { id: record.id, channel: 'telegram-user', displayName: record.displayName };
    await this.failInterruptedSends();
    this.openGate?.();
    this.enqueue(() => this.backfill('start'));
    this.sendLoop = this.runSendLoop();
  }

  /** A customer's file, downloaded through this term's client (the only live client of the account). */
  downloadMedia(params: { messageId: number; maxBytes: number }): Promise<MediaDownload> {
    return this.deps.client.downloadMedia(params);
  }

  /** New work was queued for this account (an in-process wake-up; the poll covers other instances). */
  notifyWork(): void {
    this.wake?.();
  }

  /** Waits for the update chain and the send loop to finish after the signal aborted. */
  async closed(): Promise<void> {
    // If the term ended while opening, queued events are released to find the signal aborted and return.
    this.openGate?.();
    this.wake?.();
    await this.sendLoop;
    await this.chain;
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.deps.signal.aborted) return;
      try {
        await task();
      } catch (error) {
        this.taskFailed(error);
      }
    });
  }

  private taskFailed(error: unknown): void {
    if (this.deps.signal.aborted) return;
    this.logger.error({ err: error }, 'handling a telegram update failed');
    void this.deps.connections.noteError(this.deps.connectionId, `update handling failed: ${messageOf(error)}`).catch((noteError: unknown) =>
      this.logger.error({ err: noteError }, 'recording the error failed too'),
    );
    this.deps.onFatal(error, isSessionDead(error));
  }

  private async handle(event: ClientEvent): Promise<void> {
    if (event.kind === 'connection') {
      if (event.state === 'disconnected') {
        this.disconnected = true;
        this.logger.warn('telegram connection lost; the library reconnects');
        await this.deps.connections.noteError(this.deps.connectionId, 'connection to Telegram lost; reconnecting');
      } else if (this.disconnected) {
        this.disconnected = false;
        this.logger.info('telegram connection back; back-filling what was missed');
        await this.backfill('reconnect');
      }
      return;
    }
    const { update } = event;
    const plan = planUpdate(update, this.selfUserId);
    const peers = this.peersOf(event.users);
    switch (plan.kind) {
      case 'ignored':
        this.deps.metrics.updates.inc({ update: update.className, outcome: 'ignored' });
        return;
      case 'typing':
        // Not awaited: an ephemeral hint must not hold up the messages queued behind it (publish waits for the broker).
        void this.deps.typing
          .publish(this.connection, plan.peerUserId, plan.action)
          .then((published) => this.deps.metrics.updates.inc({ update: update.className, outcome: published ? 'published' : 'throttled' }))
          .catch((error: unknown) => this.logger.error({ err: error }, 'typing event could not be built'));
        return;
      case 'message':
        // The account's own send may still be completing: its row must exist first, so it is not mirrored as an echo.
        if (plan.message.direction === 'out') await this.sending;
        break;
      default:
        break;
    }
    const outcome = await this.deps.store.apply(this.connection, plan, peers);
    this.deps.metrics.updates.inc({ update: update.className, outcome });
    if (plan.kind === 'message' && peers.length === 0 && !(await this.deps.connections.findPeer(this.deps.connectionId, plan.message.peerUserId))?.accessHash) {
      // UpdateShortMessage from someone new carries no access hash; the dialogs list does.
      await this.backfill('unknown peer');
    }
  }

  /**
   * Fetches what arrived while no client of this account was connected: the recent dialogs, and in each
   * private one with a newer top message the history above the cursor (the highest message id seen), oldest
   * first. The message id dedupes against what live updates already stored. The first run only sets the cursor.
   */
  private async backfill(reason: string): Promise<void> {
    const record = await this.deps.connections.findById(this.deps.connectionId);
    if (!record) return;
    const { dialogs, users } = await this.withFloodWait('backfill', () => this.deps.client.getDialogs({ limit: this.deps.settings.backfillDialogs }));
    const peers = this.peersOf(users);
    await this.deps.connections.upsertPeers(this.deps.connections.executor, this.deps.connectionId, peers);
    const hashes = new Map(peers.filter((p) => p.accessHash).map((p) => [p.userId, p.accessHash!]));
    const privateDialogs = dialogs.flatMap((d) => {
      if (d.peer.className !== 'PeerUser') return [];
      const userId = d.peer.userId.toString();
      return userId === this.selfUserId || userId === TELEGRAM_SERVICE_USER_ID ? [] : [{ userId, topMessage: d.topMessage, readOutboxMaxId: d.readOutboxMaxId }];
    });
    if (record.lastMessageId === null) {
      // First connect after login: the account's older history is not imported into the inbox.
      await this.deps.connections.initialiseCursor(this.deps.connectionId, Math.max(0, ...privateDialogs.map((d) => d.topMessage)));
      this.logger.info({ reason }, 'back-fill cursor initialised');
      return;
    }
    const cursor = record.lastMessageId;
    let fetched = 0;
    for (const dialog of privateDialogs) {
      if (this.deps.signal.aborted) return;
      const accessHash = hashes.get(dialog.userId);
      if (!accessHash) continue;
      if (dialog.topMessage > cursor) {
        const messages = await this.history({ userId: dialog.userId, accessHash }, cursor);
        fetched += messages.length;
        for (const message of messages) {
          const planned = planMessage(message, this.selfUserId);
          if ('reason' in planned) {
            this.deps.metrics.backfilled.inc({ outcome: 'ignored' });
            continue;
          }
          if (planned.direction === 'out') await this.sending;
          const outcome = await this.deps.store.apply(this.connection, { kind: 'message', message: planned }, []);
          this.deps.metrics.backfilled.inc({ outcome });
        }
      }
      if (dialog.readOutboxMaxId > 0) await this.deps.store.apply(this.connection, { kind: 'read', peerUserId: dialog.userId, maxId: dialog.readOutboxMaxId }, []);
    }
    this.logger.info({ reason, cursor, dialogs: privateDialogs.length, fetched }, 'back-fill done');
  }

  /** Messages above the cursor, oldest first; at most backfillLimit per chat (the newest ones). */
  private async history(peer: InputPeerUserRef, minId: number): Promise<TlAnyMessage[]> {
    const collected: TlAnyMessage[] = [];
    let offsetId = 0;
    while (collected.length < this.deps.settings.backfillLimit) {
      const limit = Math.min(HISTORY_PAGE, this.deps.settings.backfillLimit - collected.length);
      const page = await this.withFloodWait('backfill', () => this.deps.client.getHistory({ peer, minId, offsetId, limit }));
      await this.deps.connections.upsertPeers(this.deps.connections.executor, this.deps.connectionId, this.peersOf(page.users));
      const fresh = page.messages.filter((m) => m.id > minId && (offsetId === 0 || m.id < offsetId));
      collected.push(...fresh);
      if (fresh.length < limit) break;
      offsetId = Math.min(...fresh.map((m) => m.id));
    }
    return collected.sort((a, b) => a.id - b.id);
  }

  private async withFloodWait<T>(during: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const wait = floodWaitSeconds(error);
        if (wait === undefined || wait > this.deps.settings.floodWaitMaxSeconds || attempt >= this.deps.settings.sendAttempts) throw error;
        this.deps.metrics.floodWaits.inc({ during });
        this.logger.warn({ wait, during }, 'telegram asked to wait (FLOOD_WAIT); waiting');
        await sleep(wait * 1000, this.deps.signal);
        if (this.deps.signal.aborted) throw error;
      }
    }
  }

  private peersOf(users: readonly TlUser[]): PeerRecord[] {
    return users.filter((u) => !u.self && u.id.toString() !== this.selfUserId).map(peerOf);
  }

  /** A previous holder claimed these and never finished: reported failed, never sent a second time. */
  private async failInterruptedSends(): Promise<void> {
    for (const claimed of await this.deps.commands.interrupted(this.deps.connectionId)) {
      const outcome: SendOutcome = {
        state: 'failed',
        code: 'unknown',
        message: 'Sending was interrupted (the instance running the account stopped mid-send); not sent again to avoid a duplicate. Check the chat in Telegram and resend if needed.',
        at: new Date(),
      };
      if (await this.deps.commands.complete(claimed.envelope, outcome, claimed.envelope.data.externalChatId)) this.deps.metrics.sends.inc({ outcome: 'unknown' });
    }
  }

  private async runSendLoop(): Promise<void> {
    const { signal } = this.deps;
    while (!signal.aborted) {
      let claimed: ClaimedCommand | undefined;
      try {
        claimed = await this.deps.commands.claimNext(this.deps.connectionId, this.deps.holder, this.deps.fencingToken);
      } catch (error) {
        this.logger.error({ err: error }, 'claiming the next send command failed; retrying');
        await sleep(this.deps.settings.sendPollMs, signal);
        continue;
      }
      if (!claimed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, this.deps.settings.sendPollMs);
          function done(): void {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          }
          this.wake = done;
          signal.addEventListener('abort', done, { once: true });
        });
        continue;
      }
      this.sending = this.sendOne(claimed).catch((error: unknown) => this.taskFailed(error));
      await this.sending;
      this.sending = undefined;
    }
  }

  private async sendOne(claimed: ClaimedCommand): Promise<void> {
    const command = claimed.envelope.data;
    const log = this.logger.child({ commandId: command.commandId, chatKey: command.chatKey });
    const peer = await this.deps.connections.findPeer(this.deps.connectionId, command.externalChatId);
    let result: SendResult;
    if (!peer?.accessHash) {
      result = { state: 'failed', code: 'invalid_request', message: 'Telegram has not given this account access to the customer yet (no access hash): the customer must write first' };
    } else {
      try {
        result = await sendCommand(this.deps.client, command, { userId: peer.userId, accessHash: peer.accessHash }, {
          attempts: this.deps.settings.sendAttempts,
          floodWaitMaxSeconds: this.deps.settings.floodWaitMaxSeconds,
          wait: async (seconds) => {
            this.deps.metrics.floodWaits.inc({ during: 'send' });
            log.warn({ seconds }, 'telegram asked to wait before sending (FLOOD_WAIT); waiting');
            await sleep(seconds * 1000, this.deps.signal);
            return !this.deps.signal.aborted;
          },
        }, this.deps.files);
      } catch (error) {
        if (error instanceof SendInterruptedError || this.deps.signal.aborted) {
          await this.deps.commands.requeue(command.commandId);
          return;
        }
        if (claimed.attempts < this.deps.settings.sendAttempts) {
          // Not Telegram's answer (connection lost mid-call): retried; the command's randomId lets Telegram drop a duplicate.
          log.warn({ err: error, attempt: claimed.attempts }, 'send did not complete; retrying');
          await this.deps.commands.requeue(command.commandId);
          await sleep(1_000 * claimed.attempts, this.deps.signal);
          return;
        }
        result = { state: 'failed', code: 'unknown', message: `Telegram did not answer after ${claimed.attempts} attempts (${messageOf(error)}); the message may not have been sent` };
      }
    }
    const outcome: SendOutcome =
      result.state === 'sent'
        ? { state: 'sent', messageId: result.messageId, otherMessageIds: result.messageIds.slice(1), at: new Date() }
        : { state: 'failed', code: result.code, message: result.message, at: new Date() };
    const completed = await this.deps.commands.complete(claimed.envelope, outcome, command.externalChatId);
    this.deps.metrics.sends.inc({ outcome: result.state === 'sent' ? 'sent' : result.code });
    if (result.state === 'sent') log.info({ messageId: result.messageId, completed }, 'telegram user message sent');
    else log.warn({ code: result.code, reason: result.message }, 'telegram user send failed');
    if (result.state === 'failed' && result.accountProblem) await this.deps.connections.noteError(this.deps.connectionId, result.accountProblem);
    if (result.state === 'failed' && result.sessionDead) this.deps.onFatal(new Error(result.message), true);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
