import 'reflect-metadata';
import { Module, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import express, { type Express } from 'express';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { applyKeepAliveTimeout } from '../http/keep-alive';
import { applyTrustProxy } from '../http/trust-proxy';
import { serveWebhookEndpoints, type WebhookEndpoint } from '../webhooks/webhook-endpoint';
import { webhookTracing } from '../webhooks/webhook-tracing';

/** Nest's own log lines go through pino too, so a process writes one JSON format only. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}

@Module({})
class NoControllersModule {}

export interface RunningService {
  name: string;
  url: string;
  port: number;
  app: INestApplication;
  /** Closes HTTP, then every module's onModuleDestroy / beforeApplicationShutdown (consumers drain there). */
  stop(): Promise<void>;
}

/**
 * Starts one service as a Nest application on its own HTTP port. `configure` receives the underlying
 * express app (for GraphQL, /health, /ready, /metrics) before Nest's routes are mapped.
 */
export async function startNestService(options: {
  name: string;
  /** Nest's controllers, if any; a service whose HTTP side is all webhook endpoints and express routes has none. */
  module?: Parameters<typeof NestFactory.create>[0];
  port: number;
  host?: string;
  logger: Logger;
  /**
   * Proxies in front of the service that append to X-Forwarded-For (TRUST_PROXY, see trustProxyConfigSchema):
   * decides the client IP per-IP limits key on. 0 when omitted: the socket address, the header ignored.
   */
  trustProxy?: number;
  configure?: (app: Express, nest: NestExpressApplication) => Promise<void>;
  /** Inbound POST endpoints answered ahead of express and Nest (webhook-endpoint.ts, decision 0060). */
  webhooks?: readonly WebhookEndpoint[];
}): Promise<RunningService> {
  const server = express();
  server.disable('x-powered-by');
  // express hashes every res.send body into an ETag for conditional GETs; our answers are webhook
  // acknowledgements, GraphQL POSTs and probes, never revalidated, and a busy webhook pays the hash per request.
  server.set('etag', false);
  applyTrustProxy(server, options.trustProxy ?? 0);
  // Before every other middleware, so the span covers rate limiting and body parsing too (decision 0037).
  const tracing = webhookTracing(options.name);
  if (tracing) server.use(tracing);
  const app = await NestFactory.create<NestExpressApplication>(options.module ?? NoControllersModule, new ExpressAdapter(server), {
    logger: new PinoNestLogger(options.logger.child({ component: 'nest' })),
    rawBody: true,
    bodyParser: false,
  });
  if (options.configure) await options.configure(server, app);
  await app.init();
  serveWebhookEndpoints(app.getHttpServer(), options.webhooks ?? [], { service: options.name, trustProxy: options.trustProxy ?? 0, logger: options.logger });
  const httpServer = await app.listen(options.port, options.host ?? '0.0.0.0');
  const keepAlive = applyKeepAliveTimeout(httpServer);
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  options.logger.info({ url }, `${options.name} listening`);
  let stopped: Promise<void> | undefined;
  return {
    name: options.name,
    url,
    port,
    app,
    stop: () => (stopped ??= keepAlive.closeWhenIdle(() => app.close())),
  };
}
