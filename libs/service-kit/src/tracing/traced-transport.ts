import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { withHandlingContexts, type BusTransport, type ConsumeOptions, type ConsumerHandle, type OutgoingRecord } from '@switchboard/messaging';

/** Headers the trace context travels in (W3C Trace Context). */
const TRACE_HEADERS = ['traceparent', 'tracestate'];

/**
 * Spans for a service's bus traffic (decision 0037), after the OpenTelemetry messaging conventions: a
 * PRODUCER span per record published (its context replaces the record's traceparent, so the consumer's span
 * is its child) and a CONSUMER span per record handled, whose context events caused by that record continue
 * (`withHandlingContexts`). Only installed while tracing is on.
 */
export class TracedTransport implements BusTransport {
  constructor(
    private readonly inner: BusTransport,
    private readonly tracer: Tracer,
  ) {}

  get kind(): BusTransport['kind'] {
    return this.inner.kind;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    const spans: Span[] = [];
    const traced = records.map((record) => {
      const parent = propagation.extract(ROOT_CONTEXT, record.headers ?? {});
      const span = this.tracer.startSpan(
        `publish ${record.topic}`,
        { kind: SpanKind.PRODUCER, attributes: this.attributes('publish', record.topic, record.headers ?? {}, record.key) },
        parent,
      );
      spans.push(span);
      const headers = Object.fromEntries(Object.entries(record.headers ?? {}).filter(([name]) => !TRACE_HEADERS.includes(name)));
      propagation.inject(trace.setSpan(parent, span), headers);
      return { ...record, headers };
    });
    try {
      await this.inner.publish(traced);
    } catch (error) {
      for (const span of spans) markSpanFailed(span, error);
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  consume(options: ConsumeOptions): Promise<ConsumerHandle> {
    return this.inner.consume({
      ...options,
      handleBatch: async (records, batchContext) => {
        const spans: Span[] = [];
        const contexts = new Map<string, Context>();
        for (const record of records) {
          const parent = propagation.extract(ROOT_CONTEXT, record.headers);
          const eventId = record.headers['event-id'];
          const span = this.tracer.startSpan(
            `process ${record.topic}`,
            {
              kind: SpanKind.CONSUMER,
              attributes: {
                ...this.attributes('process', record.topic, record.headers, record.key),
                'messaging.consumer.group.name': options.group,
                'messaging.destination.partition.id': String(record.partition),
                [this.inner.kind === 'kafka' ? 'messaging.kafka.offset' : 'switchboard.log.offset']: Number(record.offset),
                'messaging.batch.message_count': records.length,
              },
            },
            parent,
          );
          spans.push(span);
          if (eventId) contexts.set(eventId, trace.setSpan(parent, span));
        }
        try {
          await withHandlingContexts(contexts, () => options.handleBatch(records, batchContext));
        } catch (error) {
          for (const span of spans) markSpanFailed(span, error);
          throw error;
        } finally {
          for (const span of spans) span.end();
        }
      },
    });
  }

  consumersJoined(): Promise<void> {
    return this.inner.consumersJoined();
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private attributes(operation: 'publish' | 'process', topic: string, headers: Record<string, string>, key: string) {
    const kafka = this.inner.kind === 'kafka';
    return {
      'messaging.system': kafka ? 'kafka' : 'switchboard_log',
      'messaging.operation.type': operation,
      'messaging.destination.name': topic,
      [kafka ? 'messaging.kafka.message.key' : 'switchboard.log.key']: key,
      ...(headers['event-id'] ? { 'messaging.message.id': headers['event-id'] } : {}),
      ...(headers['event-type'] ? { 'switchboard.event_type': headers['event-type'] } : {}),
    };
  }
}

/** Marks a span failed with the error that ended it. */
export function markSpanFailed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
