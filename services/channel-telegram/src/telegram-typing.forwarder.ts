import { OperatorTypingV1, TOPICS, parseEvent, type OperatorTyping } from '@switchboard/contracts';
import type { BatchContext, ConsumerHandle, DecodedRecord, EventBus } from '@switchboard/messaging';
import type { Logger } from 'pino';
import { PRESENCE_CONSUMER_GROUP } from './channel-telegram.config';
import type { TelegramApiFactory } from './telegram-bot-api.client';
import type { TelegramConnectionRepository } from './telegram-connection.repository';
import type { TelegramTokenVault } from './telegram-token.vault';

/**
 * Forwards operators' typing (OperatorTypingV1 on messenger.presence.v1, decision 0042) to Telegram as the
 * bot's "typing..." (sendChatAction). Ephemeral: each one is tried once; an expired one, another channel's,
 * a disconnected bot or any failure is logged at debug and dropped, never retried nor dead-lettered (the
 * handler never throws). The customer sees it for about 5 s; the next report renews it.
 */
export class TelegramTypingForwarder {
  private handle?: ConsumerHandle;
  private readonly logger: Logger;

  constructor(
    private readonly deps: {
      bus: EventBus;
      connections: TelegramConnectionRepository;
      tokens: TelegramTokenVault;
      api: TelegramApiFactory;
      logger: Logger;
    },
  ) {
    this.logger = deps.logger.child({ component: 'telegram-typing' });
  }

  async start(): Promise<void> {
    this.handle = await this.deps.bus.subscribe({
      group: PRESENCE_CONSUMER_GROUP,
      topics: [TOPICS.presence],
      background: true,
      handler: (records, context) => this.handleBatch(records, context),
    });
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
    this.handle = undefined;
  }

  private async handleBatch(records: DecodedRecord[], context: BatchContext): Promise<void> {
    for (const { envelope } of records) {
      // Stopping: what is left is dropped, not re-delivered (it would be stale by then).
      if (!context.isActive()) return;
      if (envelope.type !== OperatorTypingV1.type || envelope.version !== OperatorTypingV1.version) continue;
      let typing: OperatorTyping;
      try {
        typing = parseEvent(OperatorTypingV1, envelope).data;
      } catch (error) {
        this.logger.debug({ err: error, eventId: envelope.id }, 'operator typing skipped: not a valid contract');
        continue;
      }
      if (typing.connection.channel !== 'telegram') continue;
      await this.forward(typing);
    }
  }

  /** Never throws: a typing hint that cannot be shown is dropped. */
  async forward(typing: OperatorTyping, now = Date.now()): Promise<boolean> {
    const log = { chatKey: typing.chatKey, connectionId: typing.connection.id };
    if (new Date(typing.expiresAt).getTime() <= now) {
      this.logger.debug(log, 'operator typing expired before it could be forwarded');
      return false;
    }
    try {
      const connection = await this.deps.connections.findById(typing.connection.id);
      if (!connection || connection.state === 'disconnected') {
        this.logger.debug(log, 'operator typing not forwarded: the bot is not connected');
        return false;
      }
      await this.deps.api(this.deps.tokens.open(connection)).sendChatAction({ chatId: typing.externalChatId, action: 'typing' });
      return true;
    } catch (error) {
      this.logger.debug({ ...log, err: error }, 'operator typing not forwarded (ephemeral: not retried)');
      return false;
    }
  }
}
