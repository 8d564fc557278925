import { OperatorTypingV1, TOPICS, parseEvent, type OperatorTyping } from '@switchboard/contracts';
import type { BatchContext, ConsumerHandle, DecodedRecord, EventBus } from '@switchboard/messaging';
import type { Logger } from 'pino';

/**
 * A connector's forwarding of operators' typing (OperatorTypingV1 on messenger.presence.v1, decision 0042) to
 * the platform. Ephemeral: each one is tried once; an expired one, another channel's or any failure is logged
 * at debug and dropped, never retried nor dead-lettered (the handler never throws). A connector says which of
 * its channels show typing and how to show it (`deliver`).
 */
export abstract class OperatorTypingForwarder {
  private handle?: ConsumerHandle;
  protected readonly logger: Logger;

  constructor(
    private readonly base: { bus: EventBus; group: string; channels: readonly string[]; logger: Logger; component: string },
  ) {
    this.logger = base.logger.child({ component: base.component });
  }

  /** Shows the typing on the platform; answers why not when it cannot (nothing sent), undefined when sent. */
  protected abstract deliver(typing: OperatorTyping): Promise<string | undefined>;

  async start(): Promise<void> {
    this.handle = await this.base.bus.subscribe({
      group: this.base.group,
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
      if (!this.base.channels.includes(typing.connection.channel)) continue;
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
      const refused = await this.deliver(typing);
      if (refused) this.logger.debug(log, `operator typing not forwarded: ${refused}`);
      return refused === undefined;
    } catch (error) {
      this.logger.debug({ ...log, err: error }, 'operator typing not forwarded (ephemeral: not retried)');
      return false;
    }
  }
}
