import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { serviceTracer } from '../tracing/tracing';

/** Where platforms and partners deliver inbound traffic: /webhooks/<channel>/... and the bridge's API. */
const INBOUND_PREFIXES = ['/webhooks/', '/bridge/v1/'];

/**
 * Runs `handle` as the root span of a message's trace (decision 0037): a SERVER span around one inbound
 * request, active while the receiver handles it, so what it publishes carries this trace in its record
 * headers; the span ends when the answer is sent or the connection closes. A platform's own trace headers are
 * not trusted (anyone can send them): each request starts a new trace.
 */
export function traceInboundRequest(
  tracer: Tracer,
  request: { method: string; path: string },
  res: { statusCode: number; writableFinished: boolean; once(event: 'finish' | 'close', listener: () => void): unknown },
  handle: () => void,
): void {
  // The route without ids (/webhooks/telegram/:id -> /webhooks/telegram): span names must stay few.
  const route = request.path.split('/').slice(0, 3).join('/');
  const span = tracer.startSpan(
    `${request.method} ${route}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.path } },
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
  context.with(trace.setSpan(ROOT_CONTEXT, span), handle);
}

/**
 * traceInboundRequest as express middleware, for the inbound routes express serves (the webhook
 * verification GETs); webhook endpoints (webhook-endpoint.ts) trace their POSTs themselves. Undefined when
 * tracing is off, so nothing is installed at all.
 */
export function webhookTracing(service: string): RequestHandler | undefined {
  const tracer = serviceTracer(service);
  if (!tracer) return undefined;
  return (req, res, next) => {
    const path = req.path;
    if (!INBOUND_PREFIXES.some((prefix) => path.startsWith(prefix))) return next();
    traceInboundRequest(tracer, { method: req.method, path }, res, next);
  };
}
