import { isRecent, outboxBacklogByConnection, type ChannelConnectionHealth } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import { CHANNEL_TELEGRAM_USER_SCHEMA } from '../channel-telegram-user.config';
import type { AccountLeaseRepository } from '../lease/account-lease.repository';
import { TelegramUserConnectionNotFoundError } from '../login/login.errors';
import type { RunnerState } from '../runtime/account-runner';
import type { TelegramUserConnectionRecord, TelegramUserConnectionRepository } from './connection.repository';

/** What callers see of an account: never the session. */
export interface TelegramUserConnectionView {
  id: string;
  accountUserId: string;
  phone: string;
  username: string | null;
  displayName: string;
  state: TelegramUserConnectionRecord['state'];
  lastEventAt: Date | null;
  lastError: string | null;
}

export interface TelegramUserConnectionServiceDeps {
  repository: TelegramUserConnectionRepository;
  leases: AccountLeaseRepository;
  /** This instance's runner state of an account, if it runs one. */
  runnerState: (connectionId: string) => RunnerState | undefined;
  /** Tells the supervisor to act on a change at once (start or stop the account's runner). */
  refresh: () => Promise<void>;
  logger: Logger;
}

export class TelegramUserConnectionService {
  constructor(private readonly deps: TelegramUserConnectionServiceDeps) {}

  async list(): Promise<TelegramUserConnectionView[]> {
    return (await this.deps.repository.list()).map(toView);
  }

  async find(id: string): Promise<TelegramUserConnectionView | undefined> {
    const record = await this.deps.repository.findById(id);
    return record ? toView(record) : undefined;
  }

  /** Stops the account's client wherever it runs (its runner sees the state) and keeps its chats. */
  async disconnect(id: string): Promise<TelegramUserConnectionView> {
    const record = await this.deps.repository.findById(id);
    if (!record) throw new TelegramUserConnectionNotFoundError(id);
    await this.deps.repository.setState(id, 'disconnected');
    await this.deps.refresh();
    this.deps.logger.info({ connectionId: id }, 'telegram user account disconnected');
    return toView({ ...record, state: 'disconnected', lastError: null });
  }

  /** Each account: its state, where its client runs (the lease), its errors and its outbox backlog. */
  async health(): Promise<ChannelConnectionHealth[]> {
    const records = await this.deps.repository.list();
    const backlog = await outboxBacklogByConnection(this.deps.repository.executor, CHANNEL_TELEGRAM_USER_SCHEMA);
    return Promise.all(
      records.map(async (record) => {
        const lease = record.state === 'active' ? await this.deps.leases.current(record.id) : undefined;
        const local = this.deps.runnerState(record.id);
        let detail: string;
        let state: ChannelConnectionHealth['state'];
        if (record.state === 'disconnected') [state, detail] = ['disconnected', 'disconnected by an admin'];
        else if (record.state === 'error') [state, detail] = ['error', 'the session ended: log the account in again'];
        else if (!lease) [state, detail] = ['degraded', `no instance runs the client now${local ? ` (this instance: ${local})` : ''}`];
        else [state, detail] = [isRecent(record.lastErrorAt) ? 'degraded' : 'ok', `client live on ${lease.holder} (lease ${lease.fencingToken})`];
        const waiting = backlog.get(record.id);
        return {
          channel: 'telegram-user' as const,
          connectionId: record.id,
          displayName: record.displayName,
          state,
          detail,
          lastEventAt: record.lastEventAt,
          lastError: record.lastError,
          lastErrorAt: record.lastErrorAt,
          backlog: waiting?.count ?? 0,
          oldestBacklogAt: waiting?.oldestAt ?? null,
        };
      }),
    );
  }
}

export function toView(record: TelegramUserConnectionRecord): TelegramUserConnectionView {
  return {
    id: record.id,
    accountUserId: record.accountUserId,
    phone: record.phone,
    username: record.username,
    displayName: record.displayName,
    state: record.state,
    lastEventAt: record.lastEventAt,
    lastError: record.lastError,
  };
}
