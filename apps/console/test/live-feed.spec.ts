import type { CombinedError } from 'urql';
import { LiveFeed, type FeedEvent, type SubscribeFeed } from '../src/live/live-feed';

type Sink = Parameters<SubscribeFeed<FeedEvent>>[1];

/** A subscription double: records each open (with its cursor) and lets the test push results. */
function fakeSubscriptions() {
  const opened: { after: string | null; sink: Sink; closed: boolean }[] = [];
  const subscribe: SubscribeFeed<FeedEvent> = (after, sink) => {
    const entry = { after, sink, closed: false };
    opened.push(entry);
    return { unsubscribe: () => void (entry.closed = true) };
  };
  return { opened, subscribe };
}

const event = (cursor: string, type = 'tasks.reminder-fired'): FeedEvent => ({ cursor, type });
const error = (code: string) => ({ graphQLErrors: [{ extensions: { code } }], message: code }) as unknown as CombinedError;

describe('a resumable live feed', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('delivers events once, in order, and resubscribes from the last cursor after a drop', () => {
    const { opened, subscribe } = fakeSubscriptions();
    const feed = new LiveFeed(subscribe);
    const seen: string[] = [];
    const states: string[] = [];
    feed.onEvent((e) => seen.push(e.cursor));
    feed.onState((state) => states.push(state));
    feed.start();
    expect(opened[0]!.after).toBeNull();
    opened[0]!.sink({ event: event('1', 'subscription.started') });
    opened[0]!.sink({ event: event('9') });
    opened[0]!.sink({ event: event('10') });
    opened[0]!.sink({ event: event('9') });
    opened[0]!.sink({ error: error('INTERNAL') });
    expect(opened[0]!.closed).toBe(true);
    jest.advanceTimersByTime(500);
    expect(opened[1]!.after).toBe('10');
    opened[1]!.sink({ event: event('10') });
    opened[1]!.sink({ event: event('11', 'subscription.started') });
    opened[1]!.sink({ event: event('12') });
    expect(seen).toEqual(['9', '10', '12']);
    expect(states).toEqual(['live', 'offline', 'live']);
    feed.stop();
  });

  it('starts over without a cursor and asks for a resync when the cursor is too old', () => {
    const { opened, subscribe } = fakeSubscriptions();
    const feed = new LiveFeed(subscribe);
    const resync = jest.fn();
    feed.onResync(resync);
    feed.start();
    opened[0]!.sink({ event: event('5') });
    opened[0]!.sink({ error: error('RESUME_TOO_OLD') });
    expect(resync).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(500);
    expect(opened[1]!.after).toBeNull();
    feed.stop();
    expect(opened[1]!.closed).toBe(true);
  });
});
