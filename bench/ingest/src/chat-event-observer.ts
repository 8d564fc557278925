import { ChatMessageAddedV1, TOPICS, type Envelope, type ChatMessageAdded } from '@switchboard/contracts';
import type { BusTransport, ConsumedRecord, ConsumerHandle } from '@switchboard/messaging';
import { clock } from './percentiles';
import { messageIdOfText } from './tagged-text';

const MESSAGE_ADDED = ChatMessageAddedV1.wireName;

/**
 * A subscriber of chat.events.v1 in its own consumer group, like another CRM module: notes when the
 * chat.message-added event of each bench message first arrived (matched by the id tagged into its text). It reads raw records from the running
 * product's transport (Kafka, or the log bus that only in-process subscribers are woken by), so it
 * costs the product as little as one more consumer.
 */
export class ChatEventObserver {
  /** Bench message id -> when its chat.message-added event was first seen (clock() ms). */
  readonly seenAt = new Map<number, number>();
  duplicates = 0;
  /** Called once per message id, when its chat event first arrives. */
  onFirstSeen: (messageId: number) => void = () => undefined;
  private handle?: ConsumerHandle;

  constructor(private readonly run: string) {}

  async start(transport: BusTransport): Promise<void> {
    this.handle = await transport.consume({
      group: `bench.observer.${process.pid}`,
      topics: [TOPICS.chatEvents],
      handleBatch: async (records) => this.observe(records),
    });
  }

  private observe(records: ConsumedRecord[]): void {
    const now = clock();
    for (const record of records) {
      if (record.headers['event-type'] !== MESSAGE_ADDED) continue;
      const envelope = JSON.parse(record.value.toString('utf8')) as Envelope<ChatMessageAdded>;
      const messageId = messageIdOfText(this.run, envelope.data.message.text);
      if (messageId === undefined || envelope.data.message.direction !== 'inbound') continue;
      if (this.seenAt.has(messageId)) this.duplicates++;
      else {
        this.seenAt.set(messageId, now);
        this.onFirstSeen(messageId);
      }
    }
  }

  /** How many of these message ids have been seen. */
  countSeen(messageIds: readonly number[]): number {
    let n = 0;
    for (const id of messageIds) if (this.seenAt.has(id)) n++;
    return n;
  }

  /**
   * Waits until every id has been seen, or until nothing new arrived for `idleTimeoutMs`.
   * Resolves with the number never seen (lost, if the webhook had accepted them).
   */
  async waitFor(messageIds: readonly number[], idleTimeoutMs: number, onProgress: (seen: number) => void): Promise<number> {
    let seen = this.countSeen(messageIds);
    let lastChange = clock();
    let lastReport = 0;
    while (seen < messageIds.length && clock() - lastChange < idleTimeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = this.countSeen(messageIds);
      if (now !== seen) lastChange = clock();
      seen = now;
      if (clock() - lastReport >= 1000) {
        lastReport = clock();
        onProgress(seen);
      }
    }
    return messageIds.length - seen;
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
  }
}
