import { context, propagation, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { z } from 'zod';
import { AsyncLocalStorageContextManager } from './async-context-manager';

/** Instrumentation scope of every span Switchboard makes (the service is the resource, not the scope). */
const SCOPE = 'switchboard';

/**
 * OpenTelemetry settings every service reads the same way (decision 0037). Unset: tracing is off, and nothing
 * is registered, so no span is ever made (the hot paths check `activeTracing()` once and skip).
 */
export const tracingConfigSchema = z.object({
  /** OTLP/HTTP collector base URL, e.g. http://otel-collector:4318 (spans go to <url>/v1/traces). */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://otel-collector:4318' }).optional(),
  ),
});
export type TracingConfig = z.output<typeof tracingConfigSchema>;

/**
 * Tracing of one process. A span's service is its resource (`service.name`), as a collector expects; in the
 * standalone runtime one process hosts every service, so each gets a tracer provider of its own, all feeding
 * one exporter: the exported spans look exactly as if each service ran in its own process.
 */
export class Tracing {
  private readonly providers = new Map<string, BasicTracerProvider>();

  constructor(private readonly processor: SpanProcessor) {}

  tracer(service: string): Tracer {
    let provider = this.providers.get(service);
    if (!provider) {
      provider = new BasicTracerProvider({ resource: new Resource({ [ATTR_SERVICE_NAME]: service }), spanProcessors: [this.processor] });
      this.providers.set(service, provider);
    }
    return provider.getTracer(SCOPE);
  }

  /** Exports every ended span now (tests read them right after). */
  forceFlush(): Promise<void> {
    return this.processor.forceFlush();
  }

  /** Flushes, stops exporting and unregisters the context manager and propagator: tracing is off again. */
  async shutdown(): Promise<void> {
    if (active === this) active = undefined;
    context.disable();
    propagation.disable();
    await this.processor.shutdown();
  }
}

let active: Tracing | undefined;

/** The process's tracing, or undefined when it is off: what instrumentation checks before making spans. */
export function activeTracing(): Tracing | undefined {
  return active;
}

/** The tracer of `service` when tracing is on. */
export function serviceTracer(service: string): Tracer | undefined {
  return active?.tracer(service);
}

/**
 * Turns tracing on for this process: the active context follows async work, W3C trace context is injected
 * into bus record headers, spans go to `exporter` (batched unless `batch: false`, which tests use to see each
 * span as soon as it ends).
 */
export function startTracing(options: { exporter: SpanExporter; batch?: boolean }): Tracing {
  if (active) throw new Error('tracing is already started in this process');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const processor = options.batch === false ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(options.exporter);
  active = new Tracing(processor);
  return active;
}

/**
 * Tracing as configured by the environment: OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set, else none.
 * The exporter (and its serialisers) is loaded only then: a process without tracing never loads it.
 */
export async function startTracingFromConfig(config: TracingConfig): Promise<Tracing | undefined> {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const url = `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return startTracing({ exporter: new OTLPTraceExporter({ url }) });
}
