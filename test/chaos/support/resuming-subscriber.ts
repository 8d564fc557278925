import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface LiveEvent {
  cursor: string;
  type: string;
  chatId: string | null;
  data: string | null;
  receivedAt: number;
}

const SUBSCRIPTION = `subscription Live($after: String) { chatEvents(after: $after) { cursor type chatId data } }`;

/**
 * A live client as the operator console behaves: subscribes to chat events over graphql-ws, and when the
 * connection drops (the gateway died) reconnects every `retryMs` with the last cursor it saw, so the gateway
 * replays what it missed. Records each outage: when the connection dropped and when live delivery resumed.
 */
export class ResumingSubscriber {
  readonly events: LiveEvent[] = [];
  readonly outages: { droppedAt: number; resumedAt?: number }[] = [];
  private client?: Client;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly retryMs = 200,
  ) {}

  /** The last cursor seen (the start marker carries one too): what the client resumes from. */
  lastCursor: string | undefined;

  /** Resolves once the first subscription is live. */
  async start(): Promise<void> {
    while (!(await this.subscribeOnce())) {
      if (this.stopped) return;
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.dispose();
  }

  /** True once subscribed and live; false when the connection failed (the caller retries). */
  private subscribeOnce(): Promise<boolean> {
    const client = createClient({
      url: this.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.token}` },
      retryAttempts: 0,
      lazy: false,
      // A dropped connection is expected here (the suite kills the gateway) and handled below, not logged.
      onNonLazyError: () => undefined,
    });
    this.client = client;
    const after = this.lastCursor;
    return new Promise<boolean>((resolve) => {
      let live = false;
      const dropped = (): void => {
        void client.dispose();
        if (!live) return resolve(false);
        if (this.stopped) return;
        this.outages.push({ droppedAt: Date.now() });
        void this.reconnect();
      };
      client.subscribe<{ chatEvents: Omit<LiveEvent, 'receivedAt'> }>(
        { query: SUBSCRIPTION, variables: after ? { after } : {} },
        {
          next: (message) => {
            const event = message.data?.chatEvents;
            if (!event) return;
            if (event.cursor) this.lastCursor = event.cursor;
            if (event.type === 'subscription.started') {
              live = true;
              const outage = this.outages[this.outages.length - 1];
              if (outage && outage.resumedAt === undefined) outage.resumedAt = Date.now();
              resolve(true);
              return;
            }
            this.events.push({ ...event, receivedAt: Date.now() });
          },
          error: dropped,
          complete: dropped,
        },
      );
    });
  }

  private async reconnect(): Promise<void> {
    while (!this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
      if (await this.subscribeOnce()) return;
    }
  }
}
