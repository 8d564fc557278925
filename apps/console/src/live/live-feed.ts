import type { CombinedError } from 'urql';

export type LiveState = 'connecting' | 'live' | 'offline';

/** What every live subscription of the gateway yields: a resumable cursor and the event type. */
export interface FeedEvent {
  cursor: string;
  type: string;
}

interface Listeners<E> {
  event: Set<(event: E) => void>;
  /** The feed could not resume (cursor too old): everything shown may be stale and must be refetched. */
  resync: Set<() => void>;
  state: Set<(state: LiveState) => void>;
}

const RETRY_MS = [500, 1000, 2000, 5000, 10000];

/** Cursors are decimal positions in the gateway's feed; compared as numbers, not strings. */
function isAfter(cursor: string, last: string | undefined): boolean {
  return last === undefined || BigInt(cursor) > BigInt(last);
}

/**
 * One of the gateway's live subscriptions (`chatEvents`, `reminderEvents`) for the whole page. It keeps the
 * cursor of the last event and, when the connection drops, subscribes again from it, so the events missed
 * meanwhile arrive once each, in order (docs/api.md, Live updates). Components listen here instead of
 * opening subscriptions of their own.
 */
/** Opens the subscription from `after`; `sink` gets each result (an event, or the error that ended it). */
export type SubscribeFeed<E> = (after: string | null, sink: (result: { error?: CombinedError | undefined; event?: E | undefined }) => void) => { unsubscribe(): void };

export class LiveFeed<E extends FeedEvent> {
  private cursor: string | undefined;
  private current: { unsubscribe(): void } | undefined;
  private retry = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private liveState: LiveState = 'connecting';
  private readonly listeners: Listeners<E> = { event: new Set(), resync: new Set(), state: new Set() };

  constructor(private readonly subscribe: SubscribeFeed<E>) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.current?.unsubscribe();
    this.current = undefined;
  }

  get state(): LiveState {
    return this.liveState;
  }

  onEvent(listener: (event: E) => void): () => void {
    this.listeners.event.add(listener);
    return () => this.listeners.event.delete(listener);
  }

  onResync(listener: () => void): () => void {
    this.listeners.resync.add(listener);
    return () => this.listeners.resync.delete(listener);
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.listeners.state.add(listener);
    return () => this.listeners.state.delete(listener);
  }

  private setState(state: LiveState): void {
    if (state === this.liveState) return;
    this.liveState = state;
    for (const listener of this.listeners.state) listener(state);
  }

  private open(): void {
    if (this.stopped) return;
    this.current = this.subscribe(this.cursor ?? null, (result) => {
      if (result.error) {
        this.current?.unsubscribe();
        this.current = undefined;
        const tooOld = result.error.graphQLErrors.some((e) => e.extensions?.['code'] === 'RESUME_TOO_OLD');
        if (tooOld) {
          this.cursor = undefined;
          for (const listener of this.listeners.resync) listener();
        }
        this.setState('offline');
        this.scheduleReopen();
        return;
      }
      const event = result.event;
      if (!event || !isAfter(event.cursor, this.cursor)) return;
      this.cursor = event.cursor;
      if (event.type === 'subscription.started') {
        this.retry = 0;
        this.setState('live');
        return;
      }
      for (const listener of this.listeners.event) listener(event);
    });
  }

  private scheduleReopen(): void {
    if (this.stopped) return;
    const delay = RETRY_MS[Math.min(this.retry, RETRY_MS.length - 1)]!;
    this.retry += 1;
    this.retryTimer = setTimeout(() => this.open(), delay);
  }
}
