import { ContractViolationError, decodeEnvelope, deadLetterTopic, type Envelope } from '@switchboard/contracts';
import type { Logger } from 'pino';
import { backoffDelay, sleep, type BackoffPolicy } from '../backoff';
import type { BatchContext, ConsumedRecord, OutgoingRecord } from '../transport/bus-transport';

export interface DecodedRecord {
  record: ConsumedRecord;
  envelope: Envelope;
}

export type EnvelopeBatchHandler = (records: DecodedRecord[], context: BatchContext) => Promise<void>;

export class ShutdownInProgressError extends Error {
  constructor() {
    super('Consumer is stopping: the batch will be re-delivered');
    this.name = 'ShutdownInProgressError';
  }
}

/**
 * Turns a handler into one that never loses a record and never blocks a partition forever:
 * 1. records that are not valid envelopes go straight to the dead-letter topic (retrying cannot fix them);
 * 2. the batch is retried with backoff; if it still fails, each record is retried alone, so one poison
 *    record cannot take its neighbours with it;
 * 3. a record that fails every attempt is parked on `<topic>.dlq` with the error, and the partition moves on.
 * If parking itself fails the error propagates and nothing is committed: the batch comes back later.
 */
export function reliableBatchHandler(options: {
  handler: EnvelopeBatchHandler;
  group: string;
  backoff: BackoffPolicy;
  logger: Logger;
  publishDeadLetters: (records: OutgoingRecord[]) => Promise<void>;
}): (records: ConsumedRecord[], context: BatchContext) => Promise<void> {
  const { handler, backoff, logger, group } = options;

  async function park(record: ConsumedRecord, error: unknown, attempts: number): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    logger.error(
      { topic: record.topic, partition: record.partition, offset: record.offset, key: record.key, group, attempts, err: error },
      'record parked on the dead-letter topic',
    );
    await options.publishDeadLetters([
      {
        topic: deadLetterTopic(record.topic),
        key: record.key,
        value: record.value.toString('utf8'),
        headers: {
          ...record.headers,
          'dlq-original-topic': record.topic,
          'dlq-original-partition': String(record.partition),
          'dlq-original-offset': record.offset,
          'dlq-group': group,
          'dlq-error': message.slice(0, 2000),
          'dlq-error-type': error instanceof Error ? error.name : typeof error,
          'dlq-attempts': String(attempts),
          'dlq-time': new Date().toISOString(),
        },
      },
    ]);
  }

  async function attempt(records: DecodedRecord[], context: BatchContext): Promise<{ ok: true } | { ok: false; error: unknown; attempts: number }> {
    let lastError: unknown;
    let outageRetries = 0;
    for (let n = 1; n <= backoff.attempts; n++) {
      if (!context.isActive()) throw new ShutdownInProgressError();
      try {
        await handler(records, context);
        if (outageRetries > 0) logger.info({ group, outageRetries }, 'dependency reachable again; batch handled');
        return { ok: true };
      } catch (error) {
        lastError = error;
        if (error instanceof ShutdownInProgressError) throw error;
        // A payload that breaks its contract fails the same way every time: do not wait for it.
        if (error instanceof ContractViolationError) return { ok: false, error, attempts: n };
        // The database or the bus is unreachable: every record would fail the same way, and parking them would
        // take them out of the stream (lost to readers, out of order after a replay). Wait for the outage to end,
        // however long, without spending attempts; shutdown or a rebalance still ends the wait (isActive above).
        if (isOutage(error)) {
          outageRetries += 1;
          n -= 1;
          if (outageRetries === 1 || outageRetries % 20 === 0) {
            logger.warn({ group, outageRetries, size: records.length, err: error }, 'a dependency is unreachable; holding the batch until it is back');
          }
          await sleep(backoffDelay(backoff, Math.min(outageRetries, 5)));
          await context.heartbeat().catch(() => undefined);
          continue;
        }
        logger.warn({ group, attempt: n, of: backoff.attempts, size: records.length, err: error }, 'batch handler failed; retrying');
        if (n < backoff.attempts) {
          await sleep(backoffDelay(backoff, n));
          await context.heartbeat();
        }
      }
    }
    return { ok: false, error: lastError, attempts: backoff.attempts };
  }

  return async (records, context) => {
    const decoded: DecodedRecord[] = [];
    for (const record of records) {
      try {
        decoded.push({ record, envelope: decodeEnvelope(record.value) });
      } catch (error) {
        if (!(error instanceof ContractViolationError)) throw error;
        await park(record, error, 0);
      }
    }
    if (decoded.length === 0) return;
    const whole = await attempt(decoded, context);
    if (whole.ok) return;
    if (decoded.length === 1) return park(decoded[0]!.record, whole.error, whole.attempts);
    // Isolate the poison record(s): the rest of the batch still gets processed, in order.
    for (const one of decoded) {
      const single = await attempt([one], context);
      if (!single.ok) await park(one.record, single.error, single.attempts + whole.attempts);
    }
  };
}

/** Node socket errors: the peer is not there (or went away mid-request). */
const OUTAGE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
/** PostgreSQL SQLSTATEs of an unreachable or unavailable server: connection exceptions (08), shutdown (57P0x), too many connections. */
const OUTAGE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
/** node-postgres and pg-pool say these in plain text, without a code. */
const OUTAGE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|connection error and is not queryable|Client was closed and is not queryable/i;

/**
 * True when an error means a dependency is unreachable (PostgreSQL down or cut off, the bus unavailable)
 * rather than that this record cannot be processed. Looks through `cause` and TypeORM's `driverError`.
 */
export function isOutage(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; driverError?: unknown; errors?: unknown };
  if (e.name === 'BusUnavailableError') return true;
  if (typeof e.code === 'string' && (OUTAGE_ERRNO.has(e.code) || OUTAGE_SQLSTATE.test(e.code))) return true;
  if (typeof e.message === 'string' && OUTAGE_MESSAGE.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isOutage(inner, depth + 1))) return true;
  return isOutage(e.cause, depth + 1) || isOutage(e.driverError, depth + 1);
}
