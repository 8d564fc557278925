/**
 * PGlite is one PostgreSQL session; its socket server multiplexes many client connections onto it through
 * a queue. The stock queue keeps a connection exclusive only inside a transaction, so the extended-query
 * protocol (Parse, Bind, Execute, Sync arrive as separate chunks) of two connections can interleave and
 * one connection binds to the other's statement. This replaces the queue's scheduler so a connection
 * stays exclusive until PostgreSQL answers ReadyForQuery outside a transaction.
 */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
  onData: (data: Uint8Array) => void;
}

interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: {
    isInTransaction(): boolean;
    runExclusive<T>(fn: () => Promise<T>): Promise<T>;
    execProtocolRawStream(message: Uint8Array, options: { onRawData: (data: Uint8Array) => void }): Promise<unknown>;
  };
  processQueue(): Promise<void>;
}

const READY_FOR_QUERY = 0x5a; // 'Z', followed by length 5 and the transaction status byte

export function makeSessionExclusive(queue: QueryQueue): void {
  let owner: number | null = null;
  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const index = owner === null ? 0 : this.queue.findIndex((q) => q.handlerId === owner);
        // The owner's next message has not arrived yet: wait for it; enqueue() calls us again.
        if (index === -1) break;
        const item = this.queue.splice(index, 1)[0]!;
        let tail = new Uint8Array(0);
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                tail = data.length >= 6 ? data.slice(data.length - 6) : Uint8Array.from([...tail, ...data].slice(-6));
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          owner = null;
          item.reject(error);
          continue;
        }
        const ready = tail.length === 6 && tail[0] === READY_FOR_QUERY && tail[4] === 5;
        const idle = ready && tail[5] === 0x49; // 'I': not in a transaction block
        owner = idle ? null : item.handlerId;
        this.lastHandlerId = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
  // A disconnected owner must not block everyone: the stock clearQueueForHandler/clearTransactionIfNeeded
  // run on detach; reset ownership there too.
  const original = (queue as unknown as { clearQueueForHandler(id: number): void }).clearQueueForHandler.bind(queue);
  (queue as unknown as { clearQueueForHandler(id: number): void }).clearQueueForHandler = (id: number) => {
    if (owner === id) owner = null;
    original(id);
    void queue.processQueue();
  };
}
