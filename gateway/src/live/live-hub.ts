import { ROOT_CONTEXT, SpanKind, propagation, type Context } from '@opentelemetry/api';
import type { Envelope } from '@switchboard/contracts';
import { serviceTracer, type Logger, type Principal } from '@switchboard/service-kit';
import type { ChatFeedClient, EphemeralEntry, FeedEntry } from './chat-feed.client';

/**
 * What a subscriber receives, each with the feed position to resume after: first any events it missed
 * (when it resumed with a cursor), then one `started` marker when live delivery begins (so a client that
 * sees no events still has a cursor to resume from), then chat events as they happen.
 */
export type LiveEvent = { kind: 'event'; position: string; envelope: Envelope; trace?: TraceOrigin } | { kind: 'started'; position: string };

/** Where a live event's trace comes from (the feed entry's traceparent) and when the hub received it. */
interface TraceOrigin {
  parent: Context;
  receivedAt: number;
}

export class ResumeTooOldError extends Error {
  readonly code = 'RESUME_TOO_OLD';
  constructor(prunedThrough: string) {
    super(`Events after this cursor are no longer kept (kept from position ${prunedThrough}): refetch the lists and subscribe again without a cursor`);
    this.name = 'ResumeTooOldError';
  }
}

export class SlowSubscriberError extends Error {
  readonly code = 'SLOW_SUBSCRIBER';
  constructor() {
    super('Too many undelivered events: reconnect and resume with the last cursor you received');
    this.name = 'SlowSubscriberError';
  }
}

interface Subscriber {
  principal: Principal;
  /** `events`: the durable feed, resumable by cursor; `ephemeral`: typing only (decision 0042), live only. */
  mode: 'events' | 'ephemeral';
  /** Ephemeral items waiting for an `ephemeral` subscriber; the oldest go first when it lags (they expire anyway). */
  ephemeral: EphemeralEntry[];
  /** Events after this position come from the hub's polls; the subscriber's own catch-up covers the rest. */
  liveFrom?: string;
  queue: LiveEvent[];
  wake?: () => void;
  failure?: Error;
  closed: boolean;
}

export interface LiveHubOptions {
  feed: ChatFeedClient;
  logger: Logger;
  /** Long-poll wait per feed request. */
  waitMs?: number;
  /** A subscriber with more undelivered events than this is disconnected (it resumes with its cursor). */
  maxQueue?: number;
  retryDelayMs?: number;
}

const PAGE = 500;
/** Typing items kept for a subscriber that does not read: beyond this the oldest are dropped, not the subscriber. */
const MAX_EPHEMERAL_QUEUE = 1_000;

/**
 * One poller per gateway instance reads the chat service's live feed for all connected subscribers at once
 * and hands each event to the subscribers the chat service says may see it. New subscribers join between
 * polls, at a known position, so a resume (catch-up from the client's cursor up to that position, then
 * live) has neither gaps nor duplicates.
 */
export class LiveHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly joining: Subscriber[] = [];
  private head: string | undefined;
  /** The ephemeral channel's cursor; undefined while unknown or when the feed has no such channel. */
  private ephemeralHead: string | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private joinWake: (() => void) | undefined;
  /** Aborts the current long-poll so a joiner is admitted at once instead of after the poll returns. */
  private pollAbort: AbortController | undefined;
  /** Undefined when tracing is off: then no entry's trace context is even read. */
  private readonly tracer = serviceTracer('gateway');

  constructor(private readonly options: LiveHubOptions) {}

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.pollAbort?.abort();
    // An idle loop sleeps until a joiner or its 1 s timer; shutdown must not wait for the timer.
    this.joinWake?.();
    await this.loop;
    for (const s of [...this.subscribers, ...this.joining]) this.close(s);
  }

  /**
   * Events for this principal, in feed order, starting after `after` (a cursor the client got earlier) or,
   * without one, from now. Ends with ResumeTooOldError when the cursor is older than what the feed keeps.
   */
  async *subscribe(principal: Principal, after: string | undefined, signal?: AbortSignal): AsyncGenerator<LiveEvent> {
    const subscriber: Subscriber = { principal, mode: 'events', queue: [], ephemeral: [], closed: false };
    this.joining.push(subscriber);
    this.joinWake?.();
    this.pollAbort?.abort();
    this.abort.signal.addEventListener('abort', () => this.close(subscriber), { once: true });
    signal?.addEventListener('abort', () => this.close(subscriber), { once: true });
    try {
      const liveFrom = await this.joined(subscriber);
      let last = after ?? liveFrom;
      // Catch up from the client's cursor to where live delivery starts: exactly (after, liveFrom].
      while (after !== undefined && BigInt(last) < BigInt(liveFrom) && !subscriber.closed) {
        const page = await this.options.feed.read({ after: last, limit: PAGE, subscribers: [toFeedSubscriber(principal)] });
        if (page.tooOld) throw new ResumeTooOldError(page.prunedThrough);
        if (page.entries.length === 0) break;
        for (const entry of page.entries) {
          if (BigInt(entry.position) > BigInt(liveFrom)) break;
          if (entry.audience.includes(principal.employeeId)) yield { kind: 'event', position: entry.position, envelope: entry.envelope };
          last = entry.position;
        }
        if (BigInt(page.head) >= BigInt(liveFrom)) break;
      }
      last = BigInt(last) > BigInt(liveFrom) ? last : liveFrom;
      yield { kind: 'started', position: last };
      for (;;) {
        if (subscriber.failure) throw subscriber.failure;
        const next = subscriber.queue.shift();
        if (next) {
          if (BigInt(next.position) > BigInt(last)) {
            last = next.position;
            // From the hub receiving the event to the subscriber taking it (the socket write is awaited before
            // graphql-ws asks for the next one): the last span of the message's trace (decision 0037).
            const span = next.kind === 'event' && next.trace ? this.deliverySpan(next, next.trace, principal) : undefined;
            try {
              yield next;
            } finally {
              span?.end();
            }
          }
          continue;
        }
        if (subscriber.closed) return;
        await new Promise<void>((resolve) => (subscriber.wake = resolve));
        subscriber.wake = undefined;
      }
    } finally {
      this.close(subscriber);
    }
  }

  /**
   * Ephemeral items (typing) for this principal as they arrive, from now on: no cursor, no catch-up, never a
   * replay (decision 0042). Whoever may see the chat is decided by the chat service, as for events.
   */
  async *ephemeral(principal: Principal, signal?: AbortSignal): AsyncGenerator<EphemeralEntry> {
    const subscriber: Subscriber = { principal, mode: 'ephemeral', queue: [], ephemeral: [], closed: false };
    this.joining.push(subscriber);
    this.joinWake?.();
    this.pollAbort?.abort();
    this.abort.signal.addEventListener('abort', () => this.close(subscriber), { once: true });
    signal?.addEventListener('abort', () => this.close(subscriber), { once: true });
    try {
      await this.joined(subscriber);
      for (;;) {
        if (subscriber.failure) throw subscriber.failure;
        const next = subscriber.ephemeral.shift();
        if (next) {
          yield next;
          continue;
        }
        if (subscriber.closed) return;
        await new Promise<void>((resolve) => (subscriber.wake = resolve));
        subscriber.wake = undefined;
      }
    } finally {
      this.close(subscriber);
    }
  }

  private joined(subscriber: Subscriber): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (subscriber.liveFrom !== undefined) return resolve(subscriber.liveFrom);
        if (subscriber.closed) return reject(subscriber.failure ?? new Error('subscription closed before it started'));
        subscriber.wake = check;
      };
      check();
    });
  }

  private close(subscriber: Subscriber): void {
    if (subscriber.closed) return;
    subscriber.closed = true;
    this.subscribers.delete(subscriber);
    const index = this.joining.indexOf(subscriber);
    if (index >= 0) this.joining.splice(index, 1);
    subscriber.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (this.head === undefined) await this.readHeads();
        this.admitJoiners();
        if (this.subscribers.size === 0) {
          // Nobody listens: keep the head fresh cheaply and wait for a joiner.
          await new Promise<void>((resolve) => {
            this.joinWake = resolve;
            setTimeout(resolve, 1_000).unref();
          });
          this.joinWake = undefined;
          if (this.subscribers.size === 0 && this.joining.length > 0) await this.readHeads();
          continue;
        }
        const subscribers = [...this.subscribers];
        const pollAbort = new AbortController();
        this.pollAbort = pollAbort;
        let page;
        try {
          if (this.joining.length > 0) continue; // a joiner arrived after admitJoiners(): admit it first
          // The ephemeral channel only while someone listens to it: otherwise typing would end long-polls for nobody.
          const ephemeralAfter = this.ephemeralHead !== undefined && subscribers.some((s) => s.mode === 'ephemeral') ? this.ephemeralHead : undefined;
          page = await this.options.feed.read(
            {
              after: this.head!,
              limit: PAGE,
              waitMs: this.options.waitMs ?? 5_000,
              subscribers: subscribers.map((s) => toFeedSubscriber(s.principal)),
              ...(ephemeralAfter !== undefined ? { ephemeralAfter } : {}),
            },
            pollAbort.signal,
          );
        } catch (error) {
          // Aborted for a joiner (or shutdown): nothing was delivered and the head did not move; poll again.
          if (pollAbort.signal.aborted) continue;
          throw error;
        } finally {
          this.pollAbort = undefined;
        }
        if (page.tooOld) {
          // The hub fell behind retention (e.g. the chat service was unreachable for a day): start over from now.
          this.options.logger.warn({ prunedThrough: page.prunedThrough }, 'live hub fell behind the feed retention; subscribers must refetch');
          // Ephemeral subscribers have no cursor to be too old: they stay.
          for (const s of subscribers) if (s.mode === 'events') this.fail(s, new ResumeTooOldError(page.prunedThrough));
          this.head = undefined;
          continue;
        }
        this.deliver(subscribers, page.entries);
        this.head = page.head;
        if (page.ephemeralHead !== undefined) this.ephemeralHead = page.ephemeralHead;
        this.deliverEphemeral(subscribers, page.ephemeral ?? []);
      } catch (error) {
        if (!this.running) return;
        this.options.logger.error({ err: error }, 'live feed poll failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 1_000));
      }
    }
  }

  private async readHeads(): Promise<void> {
    const heads = await this.options.feed.head();
    this.head = heads.head;
    if (heads.ephemeralHead !== undefined) this.ephemeralHead = heads.ephemeralHead;
  }

  /** Joiners become live after the current head: everything up to it is theirs to catch up on. */
  private admitJoiners(): void {
    for (const subscriber of this.joining.splice(0)) {
      if (subscriber.closed) continue;
      subscriber.liveFrom = this.head!;
      this.subscribers.add(subscriber);
      subscriber.wake?.();
    }
  }

  private deliver(subscribers: Subscriber[], entries: FeedEntry[]): void {
    const maxQueue = this.options.maxQueue ?? 10_000;
    for (const entry of entries) {
      if (entry.audience.length === 0) continue;
      const audience = new Set(entry.audience);
      const trace: TraceOrigin | undefined =
        this.tracer && entry.traceparent ? { parent: propagation.extract(ROOT_CONTEXT, { traceparent: entry.traceparent }), receivedAt: Date.now() } : undefined;
      for (const subscriber of subscribers) {
        if (subscriber.closed || subscriber.mode !== 'events' || !audience.has(subscriber.principal.employeeId)) continue;
        if (subscriber.queue.length >= maxQueue) {
          this.fail(subscriber, new SlowSubscriberError());
          continue;
        }
        subscriber.queue.push({ kind: 'event', position: entry.position, envelope: entry.envelope, ...(trace ? { trace } : {}) });
      }
    }
    for (const subscriber of subscribers) subscriber.wake?.();
  }

  private deliverEphemeral(subscribers: Subscriber[], entries: readonly EphemeralEntry[]): void {
    if (entries.length === 0) return;
    for (const entry of entries) {
      if (entry.audience.length === 0) continue;
      const audience = new Set(entry.audience);
      for (const subscriber of subscribers) {
        if (subscriber.closed || subscriber.mode !== 'ephemeral' || !audience.has(subscriber.principal.employeeId)) continue;
        if (subscriber.ephemeral.length >= MAX_EPHEMERAL_QUEUE) subscriber.ephemeral.shift();
        subscriber.ephemeral.push(entry);
      }
    }
    for (const subscriber of subscribers) if (subscriber.mode === 'ephemeral') subscriber.wake?.();
  }

  private deliverySpan(event: { position: string; envelope: Envelope }, origin: TraceOrigin, principal: Principal) {
    return this.tracer!.startSpan(
      `deliver ${event.envelope.type}`,
      {
        kind: SpanKind.CONSUMER,
        startTime: origin.receivedAt,
        attributes: {
          'messaging.operation.type': 'process',
          'messaging.destination.name': 'live-feed',
          'messaging.message.id': event.envelope.id,
          'switchboard.feed.position': event.position,
          'enduser.id': principal.employeeId,
        },
      },
      origin.parent,
    );
  }

  private fail(subscriber: Subscriber, error: Error): void {
    subscriber.failure = error;
    subscriber.queue.length = 0;
    this.close(subscriber);
  }
}

function toFeedSubscriber(principal: Principal) {
  return { employeeId: principal.employeeId, role: principal.role };
}
