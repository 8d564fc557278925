import { ChatMessageAddedV1, TOPICS, type Envelope, type ChatMessageAdded } from '@switchboard/contracts';
import type { BusTransport, ConsumedRecord, ConsumerHandle } from '@switchboard/messaging';
import { clock } from './percentiles';
import { updateIdOfText } from './telegram-updates';

const MESSAGE_ADDED = ChatMessageAddedV1.wireName;

/**
 * A subscriber of chat.events.v1 in its own consumer group, like another CRM module: notes when the
 * chat.message-added event of each bench update first arrived. It reads raw records from the running
 * product's transport (Kafka, or the log bus that only in-process subscribers are woken by), so it
 * costs the product as little as one more consumer.
 */
export class ChatEventObserver {
  /** update_id -> when its chat.message-added event was first seen (clock() ms). */
  readonly seenAt = new Map<number, number>();
  duplicates = 0;
  /** Called once per update_id, when its chat event first arrives. */
  onFirstSeen: (updateId: number) => void = () => undefined;
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
      const updateId = updateIdOfText(this.run, envelope.data.message.text);
      if (updateId === undefined || envelope.data.message.direction !== 'inbound') continue;
      if (this.seenAt.has(updateId)) this.duplicates++;
      else {
        this.seenAt.set(updateId, now);
        this.onFirstSeen(updateId);
      }
    }
  }

  /** How many of these update ids have been seen. */
  countSeen(updateIds: readonly number[]): number {
    let n = 0;
    for (const id of updateIds) if (this.seenAt.has(id)) n++;
    return n;
  }

  /**
   * Waits until every id has been seen, or until nothing new arrived for `idleTimeoutMs`.
   * Resolves with the number never seen (lost, if the webhook had accepted them).
   */
  async waitFor(updateIds: readonly number[], idleTimeoutMs: number, onProgress: (seen: number) => void): Promise<number> {
    let seen = this.countSeen(updateIds);
    let lastChange = clock();
    let lastReport = 0;
    while (seen < updateIds.length && clock() - lastChange < idleTimeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = this.countSeen(updateIds);
      if (now !== seen) lastChange = clock();
      seen = now;
      if (clock() - lastReport >= 1000) {
        lastReport = clock();
        onProgress(seen);
      }
    }
    return updateIds.length - seen;
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
  }
}
