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
    for (let n = 1; n <= backoff.attempts; n++) {
      if (!context.isActive()) throw new ShutdownInProgressError();
      try {
        await handler(records, context);
        return { ok: true };
      } catch (error) {
        lastError = error;
        if (error instanceof ShutdownInProgressError) throw error;
        // A payload that breaks its contract fails the same way every time: do not wait for it.
        if (error instanceof ContractViolationError) return { ok: false, error, attempts: n };
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
