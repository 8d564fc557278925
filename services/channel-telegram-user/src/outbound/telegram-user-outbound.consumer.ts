import { SendMessageRequestedV1, outboundTopic, parseEvent, type Envelope } from '@switchboard/contracts';
import { ShutdownInProgressError, type BatchContext, type ConsumerHandle, type DecodedRecord, type EventBus, type OutboxRelay } from '@switchboard/messaging';
import type { Logger } from 'pino';
import { TELEGRAM_USER_OUTBOUND_CONSUMER_GROUP } from '../channel-telegram-user.config';
import type { TelegramUserConnectionRepository } from '../connections/connection.repository';
import type { OutboundCommandRepository } from './outbound-command.repository';

export interface TelegramUserOutboundConsumerDeps {
  bus: EventBus;
  relay: Pick<OutboxRelay, 'notify'>;
  commands: OutboundCommandRepository;
  connections: TelegramUserConnectionRepository;
  /** Wakes this instance's sender of the account, if it holds the account's lease. */
  notifyWork: (connectionId: string) => void;
  logger: Logger;
}

/**
 * Takes send commands from messenger.outbound.telegram-user.v1 into the account's send queue. Kafka gives a
 * command to any instance, but only the lease holder has a live client, so the command is queued in
 * PostgreSQL (durable before the offset commits) and the holder sends it. A redelivered command that
 * already completed re-publishes its result; commands for unknown, disconnected or logged-out accounts fail at once.
 */
export class TelegramUserOutboundConsumer {
  private handle?: ConsumerHandle;
  private readonly logger: Logger;

  constructor(private readonly deps: TelegramUserOutboundConsumerDeps) {
    this.logger = deps.logger.child({ component: 'telegram-user-outbound' });
  }

  async start(): Promise<void> {
    this.handle = await this.deps.bus.subscribe({
      group: TELEGRAM_USER_OUTBOUND_CONSUMER_GROUP,
      topics: [outboundTopic('telegram-user')],
      handler: (records, context) => this.handleBatch(records, context),
    });
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
    this.handle = undefined;
  }

  private async handleBatch(records: DecodedRecord[], context: BatchContext): Promise<void> {
    // In order: the queue's order is the customer's order.
    for (const { envelope } of records) {
      if (!context.isActive()) throw new ShutdownInProgressError();
      await this.queue(envelope);
    }
  }

  private async queue(raw: Envelope): Promise<void> {
    // A contract violation throws: the reliable handler parks the record on the dead-letter topic.
    const command = parseEvent(SendMessageRequestedV1, raw);
    const { commandId, connection: ref } = command.data;
    const log = this.logger.child({ commandId, chatKey: command.data.chatKey, eventId: command.id });
    const connection = ref.channel === 'telegram-user' ? await this.deps.connections.findById(ref.id) : undefined;
    if (!connection || connection.state !== 'active') {
      const why = !connection
        ? `Telegram user connection ${ref.id} does not exist`
        : connection.state === 'disconnected'
          ? `Telegram account ${connection.displayName} is disconnected`
          : `Telegram account ${connection.displayName} must log in again (${connection.lastError ?? 'session ended'})`;
      if (await this.deps.commands.refuse(command, { state: 'failed', code: connection ? 'unauthorized' : 'invalid_request', message: why, at: new Date() })) {
        log.warn({ reason: why }, 'send command refused');
        this.deps.relay.notify();
        return;
      }
    }
    const stored = await this.deps.commands.enqueue(command);
    if (stored === undefined) {
      log.info('send command queued');
      this.deps.notifyWork(ref.id);
      return;
    }
    if (stored.state === 'sent' || stored.state === 'failed') {
      log.info({ state: stored.state }, 'send command already completed; re-publishing its result');
      await this.deps.commands.republish(command, stored);
      this.deps.relay.notify();
    }
  }
}
