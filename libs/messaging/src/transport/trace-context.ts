import type { Envelope } from '@switchboard/contracts';
import { context, createContextKey, propagation, type Context } from '@opentelemetry/api';

/**
 * W3C trace context on the bus (decision 0037): `traceparent` (and `tracestate`) travel as record headers, so
 * a consumer continues the trace of whatever published the record, across Kafka, the log bus and the outbox
 * (which stores headers with the row, so a relay publishing later still carries the context of the write).
 *
 * Without a registered propagator (tracing off) `propagation.inject` is the API's no-op: no headers, no cost
 * beyond the call.
 */

const HANDLING = createContextKey('switchboard.bus.handling');

/**
 * The trace contexts of the envelopes being handled anywhere in the process, by envelope id (a stack each:
 * in one process several consumer groups may handle the same event at once). Needed besides the async
 * context because work can leave it: the chat service merges the batches of several partitions into one
 * transaction, which runs in the async context of only one of them.
 */
const handling = new Map<string, Context[]>();

/**
 * Runs `work` with `contexts` (envelope id -> trace context) registered: an event published meanwhile whose
 * causationId is one of these ids continues that context (a consumer handles records of many traces in one
 * batch, so "the active context" cannot say which trace an event belongs to; its cause can).
 */
export async function withHandlingContexts<T>(contexts: ReadonlyMap<string, Context>, work: () => Promise<T>): Promise<T> {
  for (const [id, ctx] of contexts) {
    const stack = handling.get(id);
    if (stack) stack.push(ctx);
    else handling.set(id, [ctx]);
  }
  try {
    return await context.with(context.active().setValue(HANDLING, contexts), work);
  } finally {
    for (const [id, ctx] of contexts) {
      const stack = handling.get(id);
      if (!stack) continue;
      const index = stack.lastIndexOf(ctx);
      if (index >= 0) stack.splice(index, 1);
      if (stack.length === 0) handling.delete(id);
    }
  }
}

/** The trace context registered for an envelope being handled: this async flow's own first, else the process's latest. */
export function handlingContextOf(envelopeId: string): Context | undefined {
  if (handling.size === 0) return undefined;
  const own = context.active().getValue(HANDLING) as ReadonlyMap<string, Context> | undefined;
  return own?.get(envelopeId) ?? handling.get(envelopeId)?.at(-1);
}

/**
 * The trace headers an event is published with: the context of the envelope that caused it while that one is
 * being handled, else the active context (e.g. the span of the webhook request being answered).
 */
export function traceHeadersFor(envelope: Pick<Envelope, 'causationId'>): Record<string, string> {
  const carrier: Record<string, string> = {};
  const cause = envelope.causationId === undefined ? undefined : handlingContextOf(envelope.causationId);
  propagation.inject(cause ?? context.active(), carrier);
  return carrier;
}
