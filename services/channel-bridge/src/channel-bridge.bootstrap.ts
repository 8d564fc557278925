import { OutboxRelay, type EventBus } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema, openSqlSession } from '@switchboard/persistence';
import {
  CredentialCipher,
  InboundMediaLinks,
  InternalFilesClient,
  PeriodicJobs,
  RateLimitMetrics,
  createEventBus,
  createMetricsRegistry,
  createRateLimiter,
  mountSubgraph,
  observeBus,
  registerOperationalRoutes,
  registerOutboxBacklogGauge,
  startNestService,
  ShutdownSequence,
  type RunningService,
} from '@switchboard/service-kit';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { CHANNEL_BRIDGE_SCHEMA, CHANNEL_BRIDGE_SERVICE, type ChannelBridgeConfig } from './channel-bridge.config';
import { ChannelBridgeMetrics } from './channel-bridge.metrics';
import { BridgeConnectionRepository } from './connections/bridge-connection.repository';
import { BridgeConnectionService } from './connections/bridge-connection.service';
import { BridgeSecretVault } from './connections/bridge-secret.vault';
import { channelBridgeResolvers, channelBridgeTypeDefs } from './graphql/channel-bridge.resolvers';
import { bridgeInboundEndpoint } from './inbound/bridge-inbound.endpoint';
import { BridgeInboundService } from './inbound/bridge-inbound.service';
import { InboundRequestRepository } from './inbound/inbound-request.repository';
import { registerBridgeMediaRoute, type PartnerMediaFetchPolicy } from './media/bridge-media.route';
import { CHANNEL_BRIDGE_MIGRATIONS } from './migrations/0001-init.migration';
import { BridgeDeliveryWorker } from './outbound/bridge-delivery.worker';
import { BridgeOutboundConsumer } from './outbound/bridge-outbound.consumer';
import { DeadLetterService } from './outbound/dead-letter.service';
import { DeliveryRepository } from './outbound/delivery.repository';

export interface StartChannelBridgeOptions {
  config: ChannelBridgeConfig;
  logger: Logger;
  /** A bus shared with other in-process services (standalone, tests); the service creates its own otherwise. */
  bus?: EventBus;
  /** Host to listen on (default 0.0.0.0). */
  host?: string;
  /** How partners' attachment URLs are retried for the files service (tests shorten it). */
  mediaFetchPolicy?: PartnerMediaFetchPolicy;
}

export interface RunningChannelBridge extends RunningService {
  connections: BridgeConnectionService;
  deadLetters: DeadLetterService;
  bus: EventBus;
  metrics: Registry;
}

/**
 * Starts the bridge channel: migrates its schema, then the outbox relay, the delivery worker, the
 * outbound consumer and the HTTP app (partner API, /graphql, /health, /ready, /metrics). stop() drains in
 * reverse: no new HTTP work, then the consumer, the worker (attempts in flight finish), the relay, the
 * bus (only if it created it), the database.
 */
export async function startChannelBridgeService(options: StartChannelBridgeOptions): Promise<RunningChannelBridge> {
  const { config, logger } = options;
  const shutdown = new ShutdownSequence('channel-bridge', logger);

  try {
    const dataSource = createServiceDataSource({
      url: config.DATABASE_URL,
      schema: CHANNEL_BRIDGE_SCHEMA,
      migrations: CHANNEL_BRIDGE_MIGRATIONS,
      applicationName: CHANNEL_BRIDGE_SERVICE,
    });
    await dataSource.initialize();
    shutdown.add('database', () => dataSource.destroy());
    const applied = await migrateSchema(dataSource, CHANNEL_BRIDGE_SCHEMA);
    if (applied.length > 0) logger.info({ applied }, 'channel-bridge migrations applied');

    const registry = createMetricsRegistry(CHANNEL_BRIDGE_SERVICE);
    const bus = observeBus({
      bus: options.bus ?? createEventBus({ config, clientId: CHANNEL_BRIDGE_SERVICE, databaseUrl: config.DATABASE_URL, logger }),
      registry,
      owned: !options.bus,
    });
    if (!options.bus) {
      await bus.transport.connect();
      shutdown.add('bus', () => bus.close());
    }

    const metrics = new ChannelBridgeMetrics(registry);
    const rateLimiter = createRateLimiter({ config, logger });
    shutdown.add('rate limiter', () => rateLimiter.close());
    const secrets = new BridgeSecretVault(new CredentialCipher(config.CREDENTIALS_KEY));
    const connectionRepository = new BridgeConnectionRepository(dataSource);
    const requests = new InboundRequestRepository(dataSource);
    const deliveries = new DeliveryRepository(dataSource);
    const mediaLinks = new InboundMediaLinks(dataSource, CHANNEL_BRIDGE_SCHEMA);

    const relay = new OutboxRelay({
      schema: CHANNEL_BRIDGE_SCHEMA,
      openSession: () => openSqlSession(dataSource),
      transport: bus.transport,
      logger: logger.child({ component: 'outbox-relay' }),
    });
    relay.start();
    shutdown.add('outbox relay', () => relay.stop());
    registerOutboxBacklogGauge({ registry, prefix: 'bridge', relay });

    const worker = new BridgeDeliveryWorker({
      dataSource,
      relay,
      connections: connectionRepository,
      deliveries,
      secrets,
      files: new InternalFilesClient({ jwtSecret: config.JWT_SECRET, service: CHANNEL_BRIDGE_SERVICE }),
      metrics,
      logger,
      maxAttempts: config.BRIDGE_DELIVERY_MAX_ATTEMPTS,
      baseDelayMs: config.BRIDGE_DELIVERY_BASE_DELAY_MS,
      maxDelayMs: config.BRIDGE_DELIVERY_MAX_DELAY_MS,
      timeoutMs: config.BRIDGE_DELIVERY_TIMEOUT_MS,
      pollMs: config.BRIDGE_DELIVERY_POLL_MS,
    });
    worker.start();
    shutdown.add('delivery worker', () => worker.stop());

    const outbound = new BridgeOutboundConsumer({
      bus,
      dataSource,
      relay,
      connections: connectionRepository,
      deliveries,
      onQueued: () => worker.notify(),
      logger,
    });
    await outbound.start();
    shutdown.add('outbound consumer', () => outbound.stop());

    const housekeeping = new PeriodicJobs(logger.child({ component: 'housekeeping' }))
      .retain('idempotency keys', config.BRIDGE_IDEMPOTENCY_RETENTION_HOURS, (olderThan) => requests.purgeOlderThan(olderThan))
      .retain('media links', config.BRIDGE_MEDIA_LINK_RETENTION_HOURS, (olderThan) => mediaLinks.purgeOlderThan(olderThan));
    housekeeping.start();
    shutdown.add('housekeeping', () => housekeeping.stop());

    const connections = new BridgeConnectionService({ repository: connectionRepository, secrets, logger });
    const deadLetters = new DeadLetterService({ deliveries, onReplayed: () => worker.notify(), logger });
    const inbound = new BridgeInboundService({
      dataSource,
      relay,
      connections: connectionRepository,
      requests,
      mediaLinks,
      secrets,
      toleranceSeconds: config.BRIDGE_SIGNATURE_TOLERANCE_SECONDS,
      logger: logger.child({ component: 'bridge-inbound' }),
    });

    const running = await startNestService({
      name: CHANNEL_BRIDGE_SERVICE,
      webhooks: [
        bridgeInboundEndpoint(
          { inbound, metrics, logger: logger.child({ component: 'bridge-inbound' }) },
          { limiter: rateLimiter, perMinute: config.WEBHOOK_RATE_LIMIT_PER_MINUTE, metrics: new RateLimitMetrics(registry) },
        ),
      ],
      port: config.PORT,
      // The partner request limit keys on the client IP: behind the ingress it is in X-Forwarded-For.
      trustProxy: config.TRUST_PROXY,
      ...(options.host ? { host: options.host } : {}),
      logger,
      configure: async (app) => {
        registerOperationalRoutes(app, {
          service: CHANNEL_BRIDGE_SERVICE,
          registry,
          checks: {
            database: async () => void (await dataSource.query('SELECT 1')),
            bus: () => bus.transport.ping(),
          },
        });
        registerBridgeMediaRoute(app, {
          links: mediaLinks,
          jwtSecret: config.JWT_SECRET,
          logger: logger.child({ component: 'bridge-media' }),
          ...(options.mediaFetchPolicy ? { fetchPolicy: options.mediaFetchPolicy } : {}),
        });
        const graphql = await mountSubgraph({
          app,
          typeDefs: channelBridgeTypeDefs,
          resolvers: channelBridgeResolvers({ connections, deadLetters, db: dataSource }),
          jwtSecret: config.JWT_SECRET,
          logger,
        });
        shutdown.add('graphql', () => graphql.stop());
      },
    });
    shutdown.add('http', () => running.stop());

    return {
      ...running,
      connections,
      deadLetters,
      bus,
      metrics: registry,
      stop: () => shutdown.stop(),
    };
  } catch (error) {
    logger.error({ err: error }, 'channel-bridge failed to start; releasing what started');
    await shutdown.stop().catch((stopError: unknown) => logger.error({ err: stopError }, 'cleanup after failed start also failed'));
    throw error;
  }
}
