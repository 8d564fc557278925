import type { Envelope } from '@switchboard/contracts';
import { ServiceTokenSource, type Role } from '@switchboard/service-kit';

export interface FeedSubscriber {
  employeeId: string;
  role: Role;
}

export interface FeedEntry {
  position: string;
  envelope: Envelope;
  audience: string[];
  /** W3C traceparent of the write that produced the event, when it was traced (decision 0037). */
  traceparent?: string;
}

/** Someone typing in a chat: an item of the chat feed's ephemeral channel (decision 0042). */
export interface EphemeralEntry {
  kind: 'typing';
  chatId: string;
  actor: { kind: 'customer' | 'employee'; id: string; name: string };
  activity: string;
  occurredAt: string;
  expiresAt: string;
  audience: string[];
}

/**
 * `ephemeral`/`ephemeralHead` answer a read that passed ephemeralAfter (decision 0042): items that are never
 * stored in the feed, have no position and are never part of a catch-up. A feed without the channel (the
 * tasks service's) leaves them out.
 */
export type FeedPage =
  | { tooOld: false; entries: FeedEntry[]; head: string; ephemeral?: EphemeralEntry[]; ephemeralHead?: string }
  | { tooOld: true; prunedThrough: string };

/** Where a new reader starts: after `head` in the feed, after `ephemeralHead` in the ephemeral channel (when the feed has one). */
export interface FeedHeads {
  head: string;
  ephemeralHead?: string;
}

/** The chat service's internal live feed (POST /internal/feed), called with a service token. */
export class ChatFeedClient {
  private readonly tokens: ServiceTokenSource;

  constructor(private readonly options: { feedUrl: string; jwtSecret: string }) {
    this.tokens = new ServiceTokenSource({ jwtSecret: options.jwtSecret, service: 'gateway' });
  }

  async head(): Promise<FeedHeads> {
    const page = await this.call({ subscribers: [] });
    if (page.tooOld) throw new Error('the chat feed answered a head request with tooOld');
    return { head: page.head, ...(page.ephemeralHead !== undefined ? { ephemeralHead: page.ephemeralHead } : {}) };
  }

  read(
    request: { after: string; limit?: number; waitMs?: number; subscribers: FeedSubscriber[]; ephemeralAfter?: string },
    signal?: AbortSignal,
  ): Promise<FeedPage> {
    return this.call(request, signal);
  }

  private async call(body: Record<string, unknown>, signal?: AbortSignal): Promise<FeedPage> {
    const response = await fetch(this.options.feedUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.tokens.current()}` },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
    if (!response.ok) throw new Error(`chat feed answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as FeedPage;
  }
}
