import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface ChatLiveEvent {
  cursor: string;
  type: string;
  chatId: string | null;
  occurredAt: string;
  data: string | null;
}

const SUBSCRIPTION = `subscription Live($after: String) { chatEvents(after: $after) { cursor type chatId occurredAt data } }`;

/**
 * A graphql-ws subscriber as a browser console would be: connects with its access token, collects live
 * chat events, and can disconnect and resume from the last cursor it saw.
 */
export class LiveSubscriber {
  readonly events: ChatLiveEvent[] = [];
  errors: { message: string; extensions?: { code?: string } }[] = [];
  /** How the gateway closed the socket, when it did (not when this client disconnected). */
  closedWith: { code: number; reason: string } | undefined;
  private client: Client | undefined;
  private unsubscribe: (() => void) | undefined;
  private disconnecting = false;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  /** Subscribes (after a cursor when given) and resolves once live delivery has started. */
  async connect(after?: string): Promise<void> {
    this.disconnecting = false;
    this.client = createClient({
      url: this.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.token}` },
      retryAttempts: 0,
      lazy: false,
      // Its default prints the close event to the console; `closed` below records it instead.
      onNonLazyError: () => undefined,
      on: {
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          if (!this.disconnecting) this.closedWith = { code, reason: String(reason) };
        },
      },
    });
    const started = new Promise<void>((resolve, reject) => {
      this.unsubscribe = this.client!.subscribe<{ chatEvents: ChatLiveEvent }>(
        { query: SUBSCRIPTION, variables: after ? { after } : {} },
        {
          next: (message) => {
            if (message.errors) {
              this.errors.push(...(message.errors as never[]));
              reject(new Error(`subscription failed: ${JSON.stringify(this.errors)}`));
            }
            const event = message.data?.chatEvents;
            if (!event) return;
            this.events.push(event);
            if (event.type === 'subscription.started') resolve();
          },
          error: (error) => {
            this.errors.push(...(Array.isArray(error) ? error : [{ message: String((error as Error)?.message ?? error) }]));
            reject(new Error(`subscription failed: ${JSON.stringify(this.errors)}`));
          },
          complete: () => reject(new Error('the subscription ended before live delivery started')),
        },
      );
    });
    await started;
  }

  /** The last cursor received: what a client stores to resume. */
  get lastCursor(): string | undefined {
    return this.events[this.events.length - 1]?.cursor;
  }

  chatEvents(type?: string): ChatLiveEvent[] {
    return this.events.filter((e) => e.type !== 'subscription.started' && (!type || e.type === type));
  }

  async disconnect(): Promise<void> {
    this.disconnecting = true;
    this.unsubscribe?.();
    await this.client?.dispose();
    this.client = undefined;
  }
}

export interface ChatTypingEvent {
  chatId: string;
  activity: string;
  occurredAt: string;
  expiresAt: string;
  who: { kind: 'CUSTOMER' | 'EMPLOYEE'; id: string; name: string };
}

const TYPING_SUBSCRIPTION = `subscription Typing($chatId: ID) { chatTyping(chatId: $chatId) { chatId activity occurredAt expiresAt who { kind id name } } }`;

/**
 * A graphql-ws subscriber of chatTyping (decision 0042). Typing has no start marker (nothing ephemeral is
 * positioned): connect() resolves once the socket is acknowledged, and a test publishes until it sees typing.
 */
export class TypingSubscriber {
  readonly events: ChatTypingEvent[] = [];
  errors: unknown[] = [];
  private client: Client | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  async connect(chatId?: string): Promise<void> {
    const connected = new Promise<void>((resolve, reject) => {
      this.client = createClient({
        url: this.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${this.token}` },
        retryAttempts: 0,
        lazy: false,
        on: { connected: () => resolve(), closed: (event) => reject(new Error(`closed before connecting: ${JSON.stringify(event)}`)) },
      });
    });
    this.unsubscribe = this.client!.subscribe<{ chatTyping: ChatTypingEvent }>(
      { query: TYPING_SUBSCRIPTION, variables: chatId ? { chatId } : {} },
      {
        next: (message) => {
          if (message.errors) this.errors.push(...message.errors);
          if (message.data?.chatTyping) this.events.push(message.data.chatTyping);
        },
        error: (error) => this.errors.push(error),
        complete: () => undefined,
      },
    );
    await connected;
  }

  of(chatId: string, kind?: ChatTypingEvent['who']['kind']): ChatTypingEvent[] {
    return this.events.filter((e) => e.chatId === chatId && (!kind || e.who.kind === kind));
  }

  async disconnect(): Promise<void> {
    this.unsubscribe?.();
    await this.client?.dispose();
    this.client = undefined;
  }
}
