/*
 * A guard against a kafkajs 2.2.4 fetch loop that outlives its consumer.
 *
 * When the brokers leading a consumer's partitions change, kafkajs's fetch manager stops its fetchers and
 * creates new ones. If the consumer is being stopped at that moment, the new fetchers are created after
 * stop() stopped the old ones, so nothing ever stops them; and `Runner.fetch` of a stopped runner answers
 * `[]` at once, without I/O, so each of them loops on the microtask queue for the life of the process. Seen
 * in jest workers (a core at 100% for the rest of the test run, every later suite slowed down) after suites
 * that stopped Kafka consumers while the mock cluster was going away.
 *
 * With the guard, a stopped runner's fetch throws instead: the fetcher ends, the fetch manager rethrows, and
 * the runner's retry sees that it no longer runs and returns, as it does after any stop. A running
 * consumer's fetches are untouched.
 */
interface KafkajsRunner {
  running: boolean;
  fetch(nodeId: number): Promise<unknown[]>;
}

export class StoppedConsumerFetchError extends Error {
  constructor() {
    super('fetch of a stopped Kafka consumer');
    this.name = 'StoppedConsumerFetchError';
  }
}

const GUARDED = Symbol.for('switchboard.kafkajs.stoppedFetchGuard');

/** Idempotent: patches kafkajs's Runner once per loaded copy of kafkajs. */
export function guardStoppedConsumerFetches(): void {
  // kafkajs does not export its Runner; this is the module its consumer instantiates (kafkajs has no package
  // "exports" map, so the path is stable for the pinned version). A plain require, so that it is the same module
  // instance the consumer uses wherever modules are loaded (jest has a registry per test file).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an untyped internal module of kafkajs
  const runnerClass = require('kafkajs/src/consumer/runner') as { prototype: KafkajsRunner & { [GUARDED]?: true } };
  const prototype = runnerClass.prototype;
  if (prototype[GUARDED]) return;
  const fetch = prototype.fetch;
  prototype.fetch = async function guardedFetch(this: KafkajsRunner, nodeId: number): Promise<unknown[]> {
    if (!this.running) throw new StoppedConsumerFetchError();
    return fetch.call(this, nodeId);
  };
  prototype[GUARDED] = true;
}
