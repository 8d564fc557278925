import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { serviceTracer } from '../tracing/tracing';

/** Where platforms and partners deliver inbound traffic: /webhooks/<channel>/... and the bridge's API. */
const INBOUND_PREFIXES = ['/webhooks/', '/bridge/v1/'];

/**
 * The root span of a message's trace (decision 0037): a SERVER span around every webhook request, active
 * while the receiver handles it, so what it publishes carries this trace in its record headers. A
 * platform's own trace headers are not trusted (anyone can send them): each request starts a new trace.
 * Undefined when tracing is off, so nothing is installed at all.
 */
export function webhookTracing(service: string): RequestHandler | undefined {
  const tracer = serviceTracer(service);
  if (!tracer) return undefined;
  return (req, res, next) => {
    const path = req.path;
    if (!INBOUND_PREFIXES.some((prefix) => path.startsWith(prefix))) return next();
    // The route without ids (/webhooks/telegram/:id -> /webhooks/telegram): span names must stay few.
    const route = path.split('/').slice(0, 3).join('/');
    const span = tracer.startSpan(
      `${req.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'http.route': route, 'url.path': path } },
      ROOT_CONTEXT,
    );
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setAttribute('switchboard.aborted', true);
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(trace.setSpan(ROOT_CONTEXT, span), next);
  };
}
