/*
 * The guard against kafkajs fetchers that outlive their consumer (src/kafka/kafkajs-stopped-fetch-guard.ts):
 * a stopped runner's fetch must end the fetcher's loop (throw), a running one's must fetch as before.
 */
import { StoppedConsumerFetchError, guardStoppedConsumerFetches } from '../src/kafka/kafkajs-stopped-fetch-guard';

interface RunnerLike {
  running: boolean;
  fetch(nodeId: number): Promise<unknown[]>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the untyped kafkajs module the guard patches
const Runner = require('kafkajs/src/consumer/runner') as { prototype: RunnerLike };

function runner(running: boolean, batches: unknown[]): RunnerLike & { fetched: number[] } {
  const fetched: number[] = [];
  return Object.assign(Object.create(Runner.prototype) as RunnerLike, {
    running,
    fetched,
    logger: { debug: () => undefined },
    instrumentationEmitter: { emit: () => undefined },
    consumerGroup: {
      groupId: 'g',
      memberId: 'm',
      fetch: async (nodeId: number) => {
        fetched.push(nodeId);
        return batches;
      },
    },
    heartbeat: async () => undefined,
  });
}

describe('kafkajs stopped-consumer fetch guard', () => {
  beforeAll(() => guardStoppedConsumerFetches());

  it('ends the fetch loop of a stopped runner instead of answering [] without I/O', async () => {
    const stopped = runner(false, []);
    await expect(stopped.fetch(1)).rejects.toBeInstanceOf(StoppedConsumerFetchError);
    expect(stopped.fetched).toEqual([]);
  });

  it('leaves a running consumer’s fetches alone, and patches only once', async () => {
    guardStoppedConsumerFetches();
    const batch = { topic: 't', partition: 0 };
    const running = runner(true, [batch]);
    await expect(running.fetch(2)).resolves.toEqual([batch]);
    expect(running.fetched).toEqual([2]);
  });
});
