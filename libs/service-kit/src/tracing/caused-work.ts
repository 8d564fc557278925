import { SpanKind, context, trace, type Context, type Link } from '@opentelemetry/api';
import { handlingContextOf, withHandlingContexts } from '@switchboard/messaging';
import { serviceTracer } from './tracing';
import { markSpanFailed } from './traced-transport';

/**
 * A span for work done on behalf of consumed envelopes (decision 0037), e.g. the chat service storing a batch
 * of inbound messages in one transaction. Its parent is the consume span of the first envelope; envelopes of
 * other traces are linked, not adopted. Events caused meanwhile by envelopes of the parent's trace continue
 * this span; the others keep continuing their own consume spans. Just `work()` when tracing is off.
 */
export async function traceCausedWork<T>(service: string, name: string, envelopeIds: readonly string[], work: () => Promise<T>): Promise<T> {
  const tracer = serviceTracer(service);
  if (!tracer) return work();
  const causes = envelopeIds.map((id) => [id, handlingContextOf(id)] as const);
  const parent = causes.find(([, ctx]) => ctx !== undefined)?.[1] ?? context.active();
  const parentTrace = trace.getSpanContext(parent)?.traceId;
  const links: Link[] = [];
  const linked = new Set<string>();
  for (const [, ctx] of causes) {
    const spanContext = ctx && trace.getSpanContext(ctx);
    if (!spanContext || spanContext.traceId === parentTrace || linked.has(spanContext.spanId)) continue;
    linked.add(spanContext.spanId);
    links.push({ context: spanContext });
  }
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, links, attributes: { 'switchboard.envelope_count': envelopeIds.length } }, parent);
  const spanContext = trace.setSpan(parent, span);
  const adopted = new Map<string, Context>();
  for (const [id, ctx] of causes) {
    if (!ctx || trace.getSpanContext(ctx)?.traceId === parentTrace) adopted.set(id, spanContext);
  }
  try {
    return await context.with(spanContext, () => withHandlingContexts(adopted, work));
  } catch (error) {
    markSpanFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}
