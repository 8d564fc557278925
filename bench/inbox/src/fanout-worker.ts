/*
 * The operators' browsers: one graphql-ws connection per access token, each subscribed to chatEvents,
 * on this thread's own event loop so the product's work in the main thread does not delay them (and
 * they do not delay the product beyond sharing the machine's cores). Records, per note text, how many
 * subscribers received it and when the first and the last did.
 */
import { createClient, type Client } from 'graphql-ws';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { clock } from './percentiles';

export interface FanoutWorkerData {
  wsUrl: string;
  tokens: string[];
  /** Subscribers connecting at the same time while starting. */
  connectConcurrency: number;
}

export type FanoutWorkerRequest = { type: 'await'; marker: string; timeoutMs: number } | { type: 'close' };

export type FanoutWorkerMessage =
  | { type: 'ready'; connected: number; seconds: number }
  | { type: 'progress'; connected: number }
  | { type: 'received'; marker: string; count: number; first: number; last: number }
  | { type: 'failed'; error: string }
  | { type: 'closed' };

const SUBSCRIPTION = `subscription Live { chatEvents { cursor type chatId occurredAt data } }`;
const data = workerData as FanoutWorkerData;
const port = parentPort!;
const clients: Client[] = [];
const receipts = new Map<string, { count: number; first: number; last: number }>();
const waiting = new Map<string, () => void>();
let failures = 0;

function received(text: string): void {
  const at = clock();
  const entry = receipts.get(text) ?? { count: 0, first: at, last: at };
  entry.count++;
  entry.last = at;
  receipts.set(text, entry);
  if (entry.count === data.tokens.length) waiting.get(text)?.();
}

function subscribe(token: string): Promise<void> {
  const client = createClient({
    url: data.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
  });
  clients.push(client);
  return new Promise<void>((resolve, reject) => {
    client.subscribe<{ chatEvents: { type: string; data: string | null } }>(
      { query: SUBSCRIPTION },
      {
        next: (message) => {
          const event = message.data?.chatEvents;
          if (!event) return reject(new Error(`subscription error: ${JSON.stringify(message.errors)}`));
          if (event.type === 'subscription.started') return resolve();
          if (event.type === 'chat.note-added' && event.data) received((JSON.parse(event.data) as { text: string }).text);
        },
        error: (error) => {
          failures++;
          reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => reject(new Error('subscription completed')),
      },
    );
  });
}

async function connectAll(): Promise<void> {
  const started = clock();
  let next = 0;
  let connected = 0;
  const lane = async () => {
    while (next < data.tokens.length) {
      await subscribe(data.tokens[next++]!);
      connected++;
      if (connected % 200 === 0) port.postMessage({ type: 'progress', connected } satisfies FanoutWorkerMessage);
    }
  };
  await Promise.all(Array.from({ length: data.connectConcurrency }, lane));
  port.postMessage({ type: 'ready', connected, seconds: (clock() - started) / 1000 } satisfies FanoutWorkerMessage);
}

port.on('message', (request: FanoutWorkerRequest) => {
  if (request.type === 'close') {
    void Promise.all(clients.map((c) => c.dispose())).finally(() => port.postMessage({ type: 'closed' } satisfies FanoutWorkerMessage));
    return;
  }
  const reply = () => {
    clearTimeout(timer);
    waiting.delete(request.marker);
    const entry = receipts.get(request.marker) ?? { count: 0, first: NaN, last: NaN };
    port.postMessage({ type: 'received', marker: request.marker, ...entry } satisfies FanoutWorkerMessage);
  };
  const timer = setTimeout(reply, request.timeoutMs);
  if ((receipts.get(request.marker)?.count ?? 0) >= data.tokens.length) return reply();
  waiting.set(request.marker, reply);
});

connectAll().catch((error: unknown) =>
  port.postMessage({ type: 'failed', error: `${(error as Error).message ?? String(error)} (${failures} subscriber errors)` } satisfies FanoutWorkerMessage),
);
