/**
 * The one seam between the product and a message broker. Two implementations keep the same promises:
 * Kafka (distributed) and a PostgreSQL-backed log (standalone, durable in the embedded database).
 *
 * Promises every transport keeps:
 * - publish() resolves only when every record is durable, and records with one key keep their order;
 * - a consumer group gets each record at least once; within a partition (hence a key), in order;
 * - an offset is committed only after handleBatch() resolved for it: a crash re-delivers, never skips.
 */
export interface OutgoingRecord {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface BatchContext {
  /** Long handlers call this between steps so the broker does not think the member died. */
  heartbeat(): Promise<void>;
  /** False once shutdown started or the partition was taken away: stop and let the batch be re-delivered. */
  isActive(): boolean;
  /**
   * The partition's next offset to be written when the batch was fetched (Kafka's high watermark), when the
   * transport knows it: what is left to consume after this batch, hence consumer lag, follows from it.
   */
  highWatermark?: string;
}

export interface ConsumeOptions {
  group: string;
  topics: readonly string[];
  /** A group that has no committed offset starts at the oldest record (nothing published before it is lost). */
  handleBatch(records: ConsumedRecord[], context: BatchContext): Promise<void>;
  /**
   * Nobody waits on this consumer's work (a replica, a side effect), so an idle fetch may wait longer for
   * data. Real Kafka answers a fetch as soon as data arrives, so this costs nothing there; on a broker that
   * does not (librdkafka's mock) it turns a poll every few ms into a few per second.
   */
  background?: boolean;
}

export interface ConsumerHandle {
  /** Stops fetching, lets the batch in hand finish, commits its offsets. */
  stop(): Promise<void>;
}

export interface BusTransport {
  readonly kind: 'kafka' | 'log';
  connect(): Promise<void>;
  publish(records: readonly OutgoingRecord[]): Promise<void>;
  /** Resolves once subscribed; joining the consumer group may go on in the background (Kafka). */
  consume(options: ConsumeOptions): Promise<ConsumerHandle>;
  /**
   * Resolves once every consumer started so far has joined its group (at once where joining is immediate).
   * Nothing in the product waits for it; a harness does, to hand out a stack whose consumers are all in place.
   */
  consumersJoined(): Promise<void>;
  /** Cheap reachability check for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class BusUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BusUnavailableError';
  }
}
