import { isKcatAvailable } from '@switchboard/testing';
import { execFileSync } from 'node:child_process';

export type Runtime = 'kafka' | 'standalone';

/**
 * Kafka consumers' fetch wait in e2e stacks. librdkafka's mock cluster does not answer a waiting fetch when
 * data arrives (KafkaTransportOptions.maxWaitTimeMs), so this is the longest a hop waits for the next poll;
 * every idle consumer also polls this often, and at 10 ms a dozen services' consumers spent the CPU the
 * other test worker needed. 100 ms keeps a webhook-to-reply flow well under a second.
 */
export const E2E_KAFKA_MAX_WAIT_MS = 100;

/** CI sets REQUIRE_INTEGRATION=1: a missing PostgreSQL or kcat then fails the run instead of skipping suites. */
export const integrationRequired = process.env.REQUIRE_INTEGRATION === '1';

function postgresReachable(): boolean {
  try {
    execFileSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432'], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/** Which runtimes this machine can run; throws under REQUIRE_INTEGRATION when one is missing. */
export function availableRuntimes(): Runtime[] {
  const kafkaReady = isKcatAvailable() && postgresReachable();
  if (!kafkaReady && integrationRequired) {
    throw new Error('REQUIRE_INTEGRATION=1 but kcat or PostgreSQL at 127.0.0.1:5432 is missing (run .ci/run)');
  }
  if (!kafkaReady) console.warn('Skipping the Kafka + PostgreSQL runtime: kcat or PostgreSQL is not available');
  return kafkaReady ? ['kafka', 'standalone'] : ['standalone'];
}

export function kafkaAvailable(): boolean {
  const ok = isKcatAvailable() && postgresReachable();
  if (!ok && integrationRequired) throw new Error('REQUIRE_INTEGRATION=1 but kcat or PostgreSQL is missing');
  return ok;
}
