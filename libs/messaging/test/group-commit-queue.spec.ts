import { GroupCommitQueue } from '../src/transport/group-commit-queue';

/** A send that records what each request carried and stays open until the test releases it. */
function gatedSend() {
  const requests: number[][] = [];
  const releases: (() => void)[] = [];
  let running = 0;
  let maxRunning = 0;
  const send = async (items: number[]) => {
    requests.push(items);
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    await new Promise<void>((resolve) => releases.push(resolve));
    running -= 1;
  };
  const releaseAll = async () => {
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { send, requests, releaseAll, maxRunning: () => maxRunning };
}

describe('GroupCommitQueue', () => {
  it('with one request in flight, callers that arrive meanwhile share the next request', async () => {
    const gate = gatedSend();
    const queue = new GroupCommitQueue<number>(gate.send);
    const all = [queue.enqueue([1]), queue.enqueue([2]), queue.enqueue([3, 4])];
    await new Promise((resolve) => setImmediate(resolve));
    expect(gate.requests).toEqual([[1]]);
    await gate.releaseAll();
    await Promise.all(all);
    expect(gate.requests).toEqual([[1], [2, 3, 4]]);
    expect(gate.maxRunning()).toBe(1);
  });

  it('runs up to maxInFlight requests at once, and groups what arrives while all are busy', async () => {
    const gate = gatedSend();
    const queue = new GroupCommitQueue<number>(gate.send, { maxInFlight: 2 });
    const all = [queue.enqueue([1]), queue.enqueue([2]), queue.enqueue([3]), queue.enqueue([4])];
    await new Promise((resolve) => setImmediate(resolve));
    expect(gate.requests).toEqual([[1], [2]]);
    await gate.releaseAll();
    await Promise.all(all);
    expect(gate.maxRunning()).toBe(2);
    expect(gate.requests.flat().sort()).toEqual([1, 2, 3, 4]);
    expect(gate.requests).toHaveLength(3);
  });

  it('isolates a failing caller when asked: the others still succeed', async () => {
    const seen: number[][] = [];
    let first = true;
    const queue = new GroupCommitQueue<number>(
      async (items) => {
        seen.push(items);
        if (first) {
          first = false;
          await new Promise((resolve) => setImmediate(resolve));
          return;
        }
        if (items.includes(13)) throw new Error('poison');
      },
      { isolateFailures: true },
    );
    const opening = queue.enqueue([0]);
    const good = queue.enqueue([1]);
    const bad = queue.enqueue([13]);
    await opening;
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('poison');
    expect(seen).toEqual([[0], [1, 13], [1], [13]]);
  });

  describe('linger', () => {
    const lingerMs = 300;

    it('sends at once when the queue has been idle longer than the linger', async () => {
      const sentAt: number[] = [];
      const queue = new GroupCommitQueue<number>(async () => void sentAt.push(performance.now()), { lingerMs });
      const start = performance.now();
      await queue.enqueue([1]);
      expect(sentAt[0]! - start).toBeLessThan(lingerMs / 2);
    });

    it('starts the next request no sooner than the linger after the previous one settled, carrying everyone who came meanwhile', async () => {
      const requests: { items: number[]; at: number }[] = [];
      const queue = new GroupCommitQueue<number>(async (items) => void requests.push({ items, at: performance.now() }), {
        lingerMs,
      });
      await queue.enqueue([1]);
      const settled = performance.now();
      await Promise.all([queue.enqueue([2]), queue.enqueue([3])]);
      expect(requests.map((r) => r.items)).toEqual([[1], [2, 3]]);
      expect(requests[1]!.at - settled).toBeGreaterThanOrEqual(lingerMs - 5);
    });
  });
});
