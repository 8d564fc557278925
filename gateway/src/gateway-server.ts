import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import {
  EmployeeAccessClient,
  MemoryRateLimiter,
  RateLimitMetrics,
  applyKeepAliveTimeout,
  applyTrustProxy,
  createMetricsRegistry,
  registerOperationalRoutes,
  type Logger,
  type RateLimiter,
} from '@switchboard/service-kit';
import { EmployeeAccessCheck, type EmployeeAccessMetrics } from './auth/employee-access-check';
import { CORRELATION_ID_HEADER, createGatewayContext, type GatewayContext } from './auth/gateway-context';
import { loginRateLimitPlugin } from './auth/login-rate-limit.plugin';
import { publicOperationsPlugin } from './auth/public-operations.plugin';
import { formatGatewayError } from './graphql/gateway-errors';
import { queryCostRule } from './graphql/query-cost.rule';
import { queryDepthRule } from './graphql/query-depth.rule';
import { cors } from './http/cors.middleware';
import { consoleStatic } from './http/console-static.middleware';
import { jsonErrorHandler } from './http/json-error.middleware';
import { securityHeaders } from './http/security-headers.middleware';
import { subgraphReadinessChecks, subgraphServiceBuilder } from './subgraph/subgraph-data-source';
import { ChatFeedClient } from './live/chat-feed.client';
import { LiveHub } from './live/live-hub';
import { buildLiveSchema, serveLiveSubscriptions } from './live/live-subscriptions';
import { Counter, Gauge, type Registry } from 'prom-client';

export interface GatewayOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Interface to bind; all interfaces when omitted. */
  host?: string;
  supergraphSdl: string;
  /** Subgraph name (as in the supergraph) -> its GraphQL endpoint URL. */
  subgraphUrls: Record<string, string>;
  jwtSecret: string;
  logger: Logger;
  /** Browser origins allowed by CORS; none when omitted. */
  corsOrigins?: string[];
  /**
   * Counters for the per-IP login limit (Redis in distributed mode, so every gateway instance shares them);
   * an in-memory limiter owned by the gateway when omitted. A given limiter is not closed by stop().
   */
  rateLimiter?: RateLimiter;
  /** Login attempts per client IP per 10 minutes (default 100: an office behind one NAT address logs in at 9:00). */
  loginAttemptsPerIp?: number;
  /**
   * Express's `trust proxy`: how many proxies in front of the gateway set X-Forwarded-For (1 behind
   * ingress-nginx). 0 (default) uses the socket address; trusting more hops than exist lets callers forge IPs.
   */
  trustProxy?: number;
  /** A built operator console (apps/console/dist) to serve at / beside /graphql; none when omitted. */
  consoleDir?: string;
  /**
   * The files service's public origin(s) (FILES_PUBLIC_URL): the console's Content-Security-Policy lets the
   * page upload to them and show images from them. Without it, attaching files from the console fails.
   */
  consoleFileOrigins?: string[];
}

export interface RunningGateway {
  /** The GraphQL endpoint. */
  url: string;
  port: number;
  httpServer: Server;
  /** Stops taking requests, lets in-flight ones finish, then stops the gateway. */
  stop(): Promise<void>;
}

const BODY_LIMIT = '1mb';
const LOGIN_WINDOW_SECONDS = 600;

/** Starts the federation gateway: the one public GraphQL endpoint in front of every subgraph. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { logger } = options;
  const app = express();
  app.disable('x-powered-by');
  applyTrustProxy(app, options.trustProxy ?? 0);
  const httpServer = createServer(app);
  applyKeepAliveTimeout(httpServer);
  const registry = createMetricsRegistry('gateway');
  const identityUrl = options.subgraphUrls['identity'];
  const access = identityUrl
    ? new EmployeeAccessCheck({
        client: new EmployeeAccessClient({ identityUrl, jwtSecret: options.jwtSecret, service: 'gateway' }),
        logger: logger.child({ component: 'employee-access' }),
        metrics: employeeAccessMetrics(registry),
      })
    : undefined;
  const rateLimiter = options.rateLimiter ?? new MemoryRateLimiter();
  const closeRateLimiter = options.rateLimiter ? async () => undefined : () => rateLimiter.close();

  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: subgraphServiceBuilder(options.subgraphUrls),
    logger,
  });
  const server = new ApolloServer<GatewayContext>({
    gateway,
    // Introspection is on for everyone who passes publicOperationsPlugin, i.e. for authenticated callers.
    introspection: true,
    validationRules: [queryDepthRule(), queryCostRule()],
    formatError: formatGatewayError(logger),
    includeStacktraceInErrorResponses: false,
    logger,
    // The caller (main.ts) owns signal handling; Apollo's own handler would re-raise the signal mid-drain.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      publicOperationsPlugin(),
      loginRateLimitPlugin({
        limiter: rateLimiter,
        rule: { name: 'login-ip', limit: options.loginAttemptsPerIp ?? 100, windowSeconds: LOGIN_WINDOW_SECONDS },
        metrics: new RateLimitMetrics(registry),
      }),
    ],
  });
  await server.start();

  app.use(securityHeaders());
  app.use(cors(options.corsOrigins ?? []));
  const live = startLiveSubscriptions({ options, httpServer, registry, ...(access ? { access } : {}) });
  registerOperationalRoutes(app, {
    service: 'gateway',
    checks: subgraphReadinessChecks(options.subgraphUrls),
    registry,
  });
  app.use(
    '/graphql',
    express.json({ limit: BODY_LIMIT }),
    expressMiddleware(server, {
      context: async ({ req, res }) => {
        const context = await createGatewayContext({
          headers: req.headers,
          jwtSecret: options.jwtSecret,
          logger,
          clientIp: req.ip ?? req.socket.remoteAddress ?? 'unknown',
          ...(access ? { access } : {}),
        });
        res.setHeader(CORRELATION_ID_HEADER, context.correlationId);
        return context;
      },
    }),
  );
  if (options.consoleDir) app.use(consoleStatic(options.consoleDir, { fileOrigins: options.consoleFileOrigins ?? [] }));
  app.use(jsonErrorHandler(logger));

  try {
    await listen(httpServer, options.port, options.host);
  } catch (error) {
    await live.stop();
    await server.stop();
    await closeRateLimiter();
    throw error;
  }
  live.start();
  const { port } = httpServer.address() as AddressInfo;
  const host = !options.host || options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  const url = `http://${host}:${port}/graphql`;
  logger.info({ url, subgraphs: Object.keys(options.subgraphUrls) }, 'gateway listening');

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    httpServer,
    // Subscriptions end first (their sockets would keep the HTTP server open); then the drain plugin closes
    // the HTTP server as part of server.stop(), which also stops the gateway.
    stop: () =>
      (stopping ??= (async () => {
        await live.stop();
        await server.stop();
        await closeRateLimiter();
      })()),
  };
}

/**
 * Live subscriptions: one feed poller per gateway instance, graphql-ws on the same path as HTTP GraphQL.
 * They need the chat service's feed, found next to the chat subgraph; without a chat subgraph (some tests)
 * none are served.
 */
function startLiveSubscriptions(params: { options: GatewayOptions; httpServer: Server; registry: Registry; access?: EmployeeAccessCheck }): {
  start(): void;
  stop(): Promise<void>;
} {
  const { options, httpServer, registry, access } = params;
  const chatUrl = options.subgraphUrls['chat'];
  if (!chatUrl) {
    options.logger.warn('no chat subgraph configured: live subscriptions are off');
    return { start: () => undefined, stop: async () => undefined };
  }
  const hub = new LiveHub({
    feed: new ChatFeedClient({ feedUrl: new URL('/internal/feed', chatUrl).toString(), jwtSecret: options.jwtSecret }),
    logger: options.logger.child({ component: 'live-hub' }),
  });
  // The tasks service serves the same feed protocol (service-kit LiveFeedStore) for fired reminders.
  const tasksUrl = options.subgraphUrls['tasks'];
  const reminderHub = tasksUrl
    ? new LiveHub({
        feed: new ChatFeedClient({ feedUrl: new URL('/internal/feed', tasksUrl).toString(), jwtSecret: options.jwtSecret }),
        logger: options.logger.child({ component: 'reminder-live-hub' }),
      })
    : undefined;
  const sockets = serveLiveSubscriptions({
    httpServer,
    path: '/graphql',
    schema: buildLiveSchema(hub, reminderHub),
    jwtSecret: options.jwtSecret,
    logger: options.logger,
    ...(access ? { access } : {}),
  });
  new Gauge({
    name: 'gateway_live_subscribers',
    help: 'Live chat-event subscriptions on this gateway instance',
    registers: [registry],
    collect(this: Gauge) {
      this.set(hub.subscriberCount);
    },
  });
  if (reminderHub) {
    new Gauge({
      name: 'gateway_live_reminder_subscribers',
      help: 'Live reminder-event subscriptions on this gateway instance',
      registers: [registry],
      collect(this: Gauge) {
        this.set(reminderHub.subscriberCount);
      },
    });
  }
  return {
    start: () => {
      hub.start();
      reminderHub?.start();
    },
    stop: async () => {
      await hub.stop();
      await reminderHub?.stop();
      await sockets.close();
    },
  };
}

/** gateway_token_refusals_total{reason} and gateway_employee_access_unanswered_total (decision 0059). */
function employeeAccessMetrics(registry: Registry): EmployeeAccessMetrics {
  const refusals = new Counter({
    name: 'gateway_token_refusals_total',
    help: 'Validly signed tokens refused because identity says their employee is deactivated, has another role or does not exist',
    labelNames: ['reason'],
    registers: [registry],
  });
  const unanswered = new Counter({
    name: 'gateway_employee_access_unanswered_total',
    help: 'Employee access lookups identity did not answer (tokens were taken as signed meanwhile)',
    registers: [registry],
  });
  return { refused: (reason) => refusals.inc({ reason }), unanswered: () => unanswered.inc() };
}

function listen(httpServer: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
}
