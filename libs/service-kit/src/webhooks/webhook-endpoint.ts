import { HttpException } from '@nestjs/common';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Histogram } from 'prom-client';
import { clientAddress } from '../http/trust-proxy';
import { setRateLimitHeaders } from '../rate-limit/rate-limit.middleware';
import { validateRule, type RateLimitRule } from '../rate-limit/rate-limiter';
import type { WebhookRateLimit } from '../rate-limit/webhook-rate-limit';
import { serviceTracer } from '../tracing/tracing';
import { traceInboundRequest } from './webhook-tracing';

/** What a webhook endpoint's handler gets: the path's named segments, the headers and the raw bytes. */
export interface WebhookRequest {
  /** The path's `:name` segments, URL-decoded (`/webhooks/telegram/:connectionId` gives `connectionId`). */
  params: Readonly<Record<string, string>>;
  headers: IncomingHttpHeaders;
  /** The body exactly as it arrived: signatures are computed over these bytes, and parsing is the handler's. */
  body: Buffer;
}

/** What the endpoint answers: a status and a JSON body (and any headers of its own). */
export interface WebhookAnswer {
  status: number;
  body: unknown;
  headers?: Readonly<Record<string, string>>;
}

/**
 * A POST endpoint that platforms or partners call with inbound traffic, served by startNestService ahead of
 * express and Nest (decision 0060): one Telegram update per request makes their routing, middleware and
 * body parsing the connector's largest cost. The edge stays what it was: the rate limit is counted before
 * the body is read, a body over the limit is refused with 413 unread, every request has its root span, and a
 * thrown Nest `HttpException` is answered with its status and body as Nest would. Anything else thrown is
 * logged and answered 500; handlers that must answer 503 for an outage (so the platform retries) say so.
 */
export interface WebhookEndpoint {
  /** Names the rate-limit rule `webhook-<channel>` (the label of `rate_limit_refused_total`). */
  channel: string;
  /** The path, with `:name` for a segment that varies: `/webhooks/telegram/:connectionId`. A trailing slash is accepted. */
  path: string;
  /** A larger body (by Content-Length or as it streams in) is answered 413 and its connection closed. */
  bodyLimitBytes: number;
  /**
   * Per (scope, client IP) budget, one-minute windows; omitted or perMinute 0 means no limit. The scope is a
   * path segment (each connection its own budget) or a constant (one URL for a whole app).
   */
  rateLimit?: WebhookRateLimit & { scope?: (params: Readonly<Record<string, string>>) => string };
  /** Observed for every answer, from the request's arrival, by status (the edge's own refusals included). */
  duration?: Histogram<'status'>;
  /** The body of the edge's own refusals, for an API that promises callers one error shape; `{ statusCode, message }` otherwise. */
  refusalBody?: (refusal: EdgeRefusal) => unknown;
  handle(request: WebhookRequest): Promise<WebhookAnswer>;
}

/** What the edge refuses before the handler runs: over the rate limit, or a body over the limit. */
export type EdgeRefusal = { status: 429; message: string; retryAfterSeconds: number } | { status: 413; message: string; limitBytes: number };

/** One header of the request (a repeated one joined by ", ", as Node does for most headers); undefined when absent. */
export function webhookHeader(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

interface CompiledEndpoint {
  endpoint: WebhookEndpoint;
  segments: readonly ({ literal: string } | { param: string })[];
  rule?: RateLimitRule;
}

/**
 * Puts the endpoints in front of the server's request listener (express): a POST whose path matches one is
 * answered here, everything else goes on to express as before. Call it before the server listens.
 */
export function serveWebhookEndpoints(
  server: Server,
  endpoints: readonly WebhookEndpoint[],
  options: { service: string; trustProxy: number; logger: Logger },
): void {
  if (endpoints.length === 0) return;
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1) throw new Error(`webhook endpoints go in front of exactly one request listener, found ${listeners.length}`);
  const rest = listeners[0]!;
  const compiled = endpoints.map(compile);
  const tracer = serviceTracer(options.service);
  const logger = options.logger.child({ component: 'webhook-endpoint' });
  server.removeListener('request', rest);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return rest(req, res);
    const path = pathOf(req.url ?? '/');
    for (const route of compiled) {
      const params = match(route, path);
      if (!params) continue;
      const serve = () => {
        // serveRequest answers every failure itself; what is left (an answer that cannot be written) ends the socket.
        serveRequest(route, params, req, res, options.trustProxy, logger).catch((error: unknown) => {
          logger.error({ err: error, channel: route.endpoint.channel }, 'webhook endpoint could not answer; closing the connection');
          res.destroy();
        });
      };
      if (tracer) traceInboundRequest(tracer, { method: 'POST', path }, res, serve);
      else serve();
      return;
    }
    rest(req, res);
  });
}

function compile(endpoint: WebhookEndpoint): CompiledEndpoint {
  if (!endpoint.path.startsWith('/')) throw new Error(`webhook endpoint path must start with "/": ${endpoint.path}`);
  const segments = splitPath(endpoint.path).map((segment) => (segment.startsWith(':') ? { param: segment.slice(1) } : { literal: segment }));
  const limit = endpoint.rateLimit;
  const rule = limit && limit.perMinute > 0 ? { name: `webhook-${endpoint.channel}`, limit: limit.perMinute, windowSeconds: 60 } : undefined;
  if (rule) validateRule(rule);
  return { endpoint, segments, ...(rule ? { rule } : {}) };
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function splitPath(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
}

/** The path's params when it matches the endpoint's segments; undefined otherwise (or when a segment is not valid percent-encoding). */
function match(route: CompiledEndpoint, path: string): Record<string, string> | undefined {
  const parts = splitPath(path);
  if (parts.length !== route.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of route.segments.entries()) {
    const part = parts[index]!;
    if ('literal' in segment) {
      if (part !== segment.literal) return undefined;
      continue;
    }
    if (part === '') return undefined;
    try {
      params[segment.param] = decodeURIComponent(part);
    } catch {
      return undefined;
    }
  }
  return params;
}

async function serveRequest(
  route: CompiledEndpoint,
  params: Record<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
  trustProxy: number,
  logger: Logger,
): Promise<void> {
  const { endpoint } = route;
  const endTimer = endpoint.duration?.startTimer();
  const answer = (reply: WebhookAnswer) => {
    endTimer?.({ status: String(reply.status) });
    send(res, reply);
  };
  try {
    if (route.rule && endpoint.rateLimit) {
      const limit = endpoint.rateLimit;
      const scope = (limit.scope?.(params) ?? '').slice(0, 64);
      const decision = await limit.limiter.hit(route.rule, `${scope}:${clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustProxy)}`);
      setRateLimitHeaders(res, decision);
      if (!decision.allowed) {
        limit.metrics.refused.inc({ rule: route.rule.name });
        // The body is left unread: Node discards it after the answer, as it did behind express.
        return answer({ status: 429, body: refusalBody(endpoint, { status: 429, message: `Too many requests; retry after ${decision.retryAfterSeconds} s`, retryAfterSeconds: decision.retryAfterSeconds }) });
      }
    }
    const body = await readBody(req, endpoint.bodyLimitBytes);
    if (body === 'aborted') return;
    if (body === 'too-large') {
      // The rest of the body is never read, so the connection cannot carry another request.
      return answer({
        status: 413,
        body: refusalBody(endpoint, { status: 413, message: `Request body is larger than ${endpoint.bodyLimitBytes} bytes`, limitBytes: endpoint.bodyLimitBytes }),
        headers: { connection: 'close' },
      });
    }
    answer(await endpoint.handle({ params, headers: req.headers, body }));
  } catch (error) {
    if (error instanceof HttpException) return answer({ status: error.getStatus(), body: httpExceptionBody(error) });
    logger.error({ err: error, channel: endpoint.channel, path: endpoint.path }, 'webhook endpoint failed; answering 500');
    answer({ status: 500, body: { statusCode: 500, message: 'Internal server error' } });
  }
}

function refusalBody(endpoint: WebhookEndpoint, refusal: EdgeRefusal): unknown {
  return endpoint.refusalBody?.(refusal) ?? { statusCode: refusal.status, message: refusal.message };
}

/** Nest's own answer for an HttpException: its response object, or `{ statusCode, message }` for a string. */
function httpExceptionBody(error: HttpException): unknown {
  const response = error.getResponse();
  return typeof response === 'string' ? { statusCode: error.getStatus(), message: response } : response;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | 'too-large' | 'aborted') => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        return done('too-large');
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    // The caller went away mid-body: nothing to answer, and nothing was handled.
    const onError = () => done('aborted');
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function send(res: ServerResponse, answer: WebhookAnswer): void {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...answer.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}
