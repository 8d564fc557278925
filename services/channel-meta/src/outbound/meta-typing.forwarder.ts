import { OperatorTypingV1, TOPICS, parseEvent, type OperatorTyping } from '@switchboard/contracts';
import type { BatchContext, ConsumerHandle, DecodedRecord, EventBus } from '@switchboard/messaging';
import type { Logger } from 'pino';
import { PRESENCE_CONSUMER_GROUP } from '../channel-meta.config';
import type { MetaConnectionRepository } from '../connections/meta-connection.repository';
import type { MetaCredentialsVault } from '../connections/meta-credentials.vault';
import type { MetaApiFactory } from '../graph-api/meta-graph-api.client';

/** Direct chats only: comments have no typing indicator. */
const TYPING_CHANNELS: ReadonlySet<string> = new Set(['messenger', 'instagram']);

/**
 * Forwards operators' typing (OperatorTypingV1 on messenger.presence.v1, decision 0042) to Messenger and
 * Instagram direct chats as the Send API's `sender_action: typing_on`. Ephemeral: each one is tried once; an
 * expired one, another channel's, a disconnected Page or any failure is logged at debug and dropped, never
 * retried nor dead-lettered (the handler never throws).
 */
export class MetaTypingForwarder {
  private handle?: ConsumerHandle;
  private readonly logger: Logger;

  constructor(
    private readonly deps: {
      bus: EventBus;
      connections: MetaConnectionRepository;
      vault: MetaCredentialsVault;
      api: MetaApiFactory;
      logger: Logger;
    },
  ) {
    this.logger = deps.logger.child({ component: 'meta-typing' });
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
      if (!TYPING_CHANNELS.has(typing.connection.channel)) continue;
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
      const sender = typing.connection.channel === 'instagram' ? connection?.instagramAccountId : connection?.pageId;
      if (!connection || connection.state === 'disconnected' || !sender) {
        this.logger.debug(log, 'operator typing not forwarded: the Page or account is not connected');
        return false;
      }
      await this.deps.api(this.deps.vault.open(connection)).senderAction(sender, typing.externalChatId, 'typing_on');
      return true;
    } catch (error) {
      this.logger.debug({ ...log, err: error }, 'operator typing not forwarded (ephemeral: not retried)');
      return false;
    }
  }
}
