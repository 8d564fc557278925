/**
 * The gateway's LiveHub against an in-memory feed with the chat service's contract (positions, audience,
 * pruning): resume without gaps or duplicates while events keep arriving, only the audience gets an
 * event, a cursor older than retention fails with RESUME_TOO_OLD, a subscriber that never reads is cut off.
 */
import type { Envelope } from '@switchboard/contracts';
import { createLogger, type Principal } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import type { ChatFeedClient, EphemeralEntry, FeedPage, FeedSubscriber } from '../src/live/chat-feed.client';
import { LiveHub, type LiveEvent } from '../src/live/live-hub';

class MemoryFeed {
  private entries: { position: number; envelope: Envelope; audience: Set<string> }[] = [];
  /** The ephemeral channel (typing), with its own sequence, as the chat service serves it. */
  private ephemeral: { seq: number; entry: Omit<EphemeralEntry, 'audience'>; audience: Set<string> }[] = [];
  /** Reads that asked for the ephemeral channel. */
  ephemeralReads = 0;
  prunedThrough = 0;

  type(audience: string[], chatId: string, name: string): void {
    const seq = (this.ephemeral[this.ephemeral.length - 1]?.seq ?? 0) + 1;
    const at = new Date();
    this.ephemeral.push({
      seq,
      audience: new Set(audience),
      entry: { kind: 'typing', chatId, actor: { kind: 'customer', id: randomUUID(), name }, activity: 'typing', occurredAt: at.toISOString(), expiresAt: new Date(at.getTime() + 6_000).toISOString() },
    });
  }

  append(audience: string[], label: string): void {
    const position = (this.entries[this.entries.length - 1]?.position ?? this.prunedThrough) + 1;
    const envelope = { id: randomUUID(), type: 'chat.test', key: label, time: new Date().toISOString(), data: { label } } as unknown as Envelope;
    this.entries.push({ position, envelope, audience: new Set(audience) });
  }

  prune(through: number): void {
    this.entries = this.entries.filter((e) => e.position > through);
    this.prunedThrough = through;
  }

  client(): ChatFeedClient {
    const read = async (request: { after: string; limit?: number; subscribers: FeedSubscriber[]; ephemeralAfter?: string }): Promise<FeedPage> => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      const after = Number(request.after);
      if (after < this.prunedThrough) return { tooOld: true, prunedThrough: String(this.prunedThrough) };
      const page = this.entries.filter((e) => e.position > after).slice(0, request.limit ?? 500);
      let ephemeral: Pick<FeedPage & { tooOld: false }, 'ephemeral' | 'ephemeralHead'> = {};
      if (request.ephemeralAfter !== undefined) {
        this.ephemeralReads += 1;
        const items = this.ephemeral.filter((e) => e.seq > Number(request.ephemeralAfter));
        ephemeral = {
          ephemeral: items.map((e) => ({ ...e.entry, audience: request.subscribers.filter((s) => e.audience.has(s.employeeId)).map((s) => s.employeeId) })),
          ephemeralHead: String(items[items.length - 1]?.seq ?? request.ephemeralAfter),
        };
      }
      return {
        tooOld: false,
        ...ephemeral,
        head: String(page[page.length - 1]?.position ?? after),
        entries: page.map((e) => ({
          position: String(e.position),
          envelope: e.envelope,
          audience: request.subscribers.filter((s) => e.audience.has(s.employeeId)).map((s) => s.employeeId),
        })),
      };
    };
    return {
      head: async () => ({
        head: String(this.entries[this.entries.length - 1]?.position ?? this.prunedThrough),
        ephemeralHead: String(this.ephemeral[this.ephemeral.length - 1]?.seq ?? 0),
      }),
      read,
    } as unknown as ChatFeedClient;
  }
}

const operator = (): Principal => ({ employeeId: randomUUID(), role: 'operator', name: 'Op' });

async function collect(events: AsyncGenerator<LiveEvent>, into: LiveEvent[], signal: { stop: boolean }): Promise<unknown> {
  try {
    for await (const event of events) {
      into.push(event);
      if (signal.stop) return undefined;
    }
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('LiveHub', () => {
  const logger = createLogger('live-hub-test', 'silent');
  let hub: LiveHub;
  afterEach(async () => hub?.stop());

  it('resumes from a cursor while events keep arriving: every event once, in order, only for its audience', async () => {
    const feed = new MemoryFeed();
    const alice = operator();
    const bob = operator();
    hub = new LiveHub({ feed: feed.client(), logger, waitMs: 20 });
    hub.start();
    for (let i = 1; i <= 50; i++) feed.append(i % 5 === 0 ? [bob.employeeId] : [alice.employeeId], `e${i}`);

    let appending = true;
    const writer = (async () => {
      for (let i = 51; appending; i++) {
        feed.append([alice.employeeId], `e${i}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const received: LiveEvent[] = [];
    const stop = { stop: false };
    const done = collect(hub.subscribe(alice, '10'), received, stop);
    await waitFor(() => received.filter((e) => e.kind === 'event').length >= 150, { description: '150 events for alice' });
    appending = false;
    await writer;
    stop.stop = true;
    feed.append([alice.employeeId], 'last');
    await done;

    // 'last' only wakes the generator so it can see the stop flag.
    const labels = received.flatMap((e) => (e.kind === 'event' ? [(e.envelope.data as { label: string }).label] : [])).filter((l) => l !== 'last');
    // Alice's events after cursor 10: e11..e50 without Bob's (every fifth), then every event from e51 on.
    const alicesNumbers = Array.from({ length: 400 }, (_, i) => i + 11).filter((n) => n > 50 || n % 5 !== 0);
    const expected = alicesNumbers.slice(0, labels.length).map((n) => `e${n}`);
    expect(labels).toEqual(expected);
    expect(received.filter((e) => e.kind === 'started')).toHaveLength(1);
  });

  it('ends a resume older than the feed keeps with RESUME_TOO_OLD', async () => {
    const feed = new MemoryFeed();
    for (let i = 1; i <= 10; i++) feed.append([], `e${i}`);
    feed.prune(5);
    hub = new LiveHub({ feed: feed.client(), logger, waitMs: 20 });
    hub.start();
    const received: LiveEvent[] = [];
    const error = await collect(hub.subscribe(operator(), '2'), received, { stop: false });
    expect(error).toMatchObject({ code: 'RESUME_TOO_OLD' });
    expect(received).toEqual([]);
  });

  it('cuts off a subscriber whose undelivered events exceed the bound', async () => {
    const feed = new MemoryFeed();
    const slow = operator();
    hub = new LiveHub({ feed: feed.client(), logger, waitMs: 20, maxQueue: 10 });
    hub.start();
    const events = hub.subscribe(slow, undefined);
    const first = await events.next();
    expect(first.value).toMatchObject({ kind: 'started' });
    for (let i = 0; i < 30; i++) feed.append([slow.employeeId], `e${i}`);
    await waitFor(() => hub.subscriberCount === 0, { description: 'the slow subscriber to be dropped' });
    await expect((async () => {
      for (;;) if ((await events.next()).done) return;
    })()).rejects.toMatchObject({ code: 'SLOW_SUBSCRIBER' });
  });

  it('hands typing to ephemeral subscribers in its audience only, once, and never to event subscribers or a resume', async () => {
    const feed = new MemoryFeed();
    const alice = operator();
    const bob = operator();
    feed.type([alice.employeeId], 'chat-before', 'typed before anyone listened');
    hub = new LiveHub({ feed: feed.client(), logger, waitMs: 20 });
    hub.start();
    const events = hub.subscribe(alice, undefined);
    const started = await events.next();
    expect(started.value).toMatchObject({ kind: 'started' });
    // Only events subscribers: the ephemeral channel is not read at all.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(feed.ephemeralReads).toBe(0);

    const aliceTyping: EphemeralEntry[] = [];
    const bobTyping: EphemeralEntry[] = [];
    const stop = new AbortController();
    const drain = async (items: AsyncGenerator<EphemeralEntry>, into: EphemeralEntry[]) => {
      for await (const item of items) into.push(item);
    };
    const draining = [drain(hub.ephemeral(alice, stop.signal), aliceTyping), drain(hub.ephemeral(bob, stop.signal), bobTyping)];
    await waitFor(() => feed.ephemeralReads > 0, { description: 'the hub to read the ephemeral channel' });
    feed.type([alice.employeeId], 'chat-1', 'Марта');
    feed.type([alice.employeeId, bob.employeeId], 'chat-2', 'Taras');
    await waitFor(() => aliceTyping.length === 2 && bobTyping.length === 1, { description: 'typing to reach its audience' });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(aliceTyping.map((t) => t.chatId)).toEqual(['chat-1', 'chat-2']);
    expect(bobTyping.map((t) => t.chatId)).toEqual(['chat-2']);

    // The durable subscription and a resume from its cursor see nothing of it.
    feed.append([alice.employeeId], 'after-typing');
    const next = await events.next();
    expect(next.value).toMatchObject({ kind: 'event', envelope: { key: 'after-typing' } });
    const resumed: LiveEvent[] = [];
    const resume = hub.subscribe(alice, (started.value as LiveEvent).position);
    for (;;) {
      const item = await resume.next();
      resumed.push(item.value as LiveEvent);
      if ((item.value as LiveEvent).kind === 'started') break;
    }
    expect(resumed.map((e) => (e.kind === 'event' ? e.envelope.key : e.kind))).toEqual(['after-typing', 'started']);
    await resume.return(undefined);
    await events.return(undefined);
    stop.abort();
    await Promise.all(draining);
  });
});
