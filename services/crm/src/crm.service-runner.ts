import { TOPICS } from '@switchboard/contracts';
import { EventBus, OutboxRelay } from '@switchboard/messaging';
import { migrateSchema, openSqlSession } from '@switchboard/persistence';
import {
  ChatVisibilityClient,
  createEventBus,
  createMetricsRegistry,
  mountSubgraph,
  observeBus,
  registerOperationalRoutes,
  registerOutboxBacklogGauge,
  startNestService,
  type Logger,
  type RunningService,
} from '@switchboard/service-kit';
import { Module } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatEventsConsumer } from './chat-events/chat-events.consumer';
import { CRM_CONSUMER_GROUPS, CRM_SCHEMA, urlPatternsOf, type CrmConfig } from './crm.config';
import { createCrmDataSource } from './crm-data-source';
import { DirectorySearch } from './directory/directory-search';
import { DirectoryService } from './directory/directory.service';
import { ChatAccess } from './graphql/chat-access';
import { PanelLoader } from './graphql/panel-loader';
import { crmResolvers } from './graphql/crm.resolvers';
import { ChatLinkService } from './links/chat-link.service';
import { CustomerMatcher } from './matching/customer-matcher';

export const CRM_TYPE_DEFS = readFileSync(join(__dirname, 'graphql', 'crm.graphql'), 'utf8');

/** The crm service's Nest module: it owns HTTP; the bus wiring below owns its lifecycle. */
@Module({})
class CrmHttpModule {}

export interface RunningCrmService extends RunningService {
  /** The directory (tests and the standalone demo seed records through it). */
  directory: DirectoryService;
}

/**
 * Starts the crm service: migrate, relay the outbox (crm.events.v1), consume chat events (match new
 * customers to the directory, drop deleted chats' links), serve the crm subgraph (Chat.crm, the picker,
 * linkChat / unlinkChat, directory records). stop() stops HTTP and the consumer before it closes the database.
 */
export async function startCrmService(options: { config: CrmConfig; logger: Logger; bus?: EventBus }): Promise<RunningCrmService> {
  const { config, logger } = options;
  const dataSource = createCrmDataSource({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  await dataSource.initialize();
  const applied = await migrateSchema(dataSource, CRM_SCHEMA);
  if (applied.length > 0) logger.info({ applied }, 'crm migrations applied');

  const ownsBus = !options.bus;
  const registry = createMetricsRegistry('crm');
  // Counts this service's own bus traffic (published, consumed, lag, dead letters) on its /metrics under the
  // names every service uses, so the one dashboard covers crm too (decision 0028); with tracing on, the same
  // view makes crm's publish and consume spans (decision 0037).
  const bus = observeBus({ bus: options.bus ?? createEventBus({ config, clientId: 'crm', databaseUrl: config.DATABASE_URL, logger }), registry, owned: ownsBus });
  await bus.transport.connect();

  const relay = new OutboxRelay({
    schema: CRM_SCHEMA,
    transport: bus.transport,
    logger: logger.child({ component: 'outbox' }),
    openSession: () => openSqlSession(dataSource),
  });
  const wakeRelay = () => relay.notify();
  registerOutboxBacklogGauge({ registry, prefix: 'crm', relay });
  const urls = urlPatternsOf(config);
  const directory = new DirectoryService(dataSource, config.CRM_PHONE_COUNTRY_CODE);
  const links = new ChatLinkService(dataSource, wakeRelay);
  const matcher = new CustomerMatcher({
    dataSource,
    directory,
    links,
    unmatched: config.CRM_UNMATCHED_CUSTOMER,
    phoneCountryCode: config.CRM_PHONE_COUNTRY_CODE,
    logger: logger.child({ component: 'matcher' }),
    onEvents: wakeRelay,
  });
  const chatEvents = new ChatEventsConsumer(matcher, links, logger.child({ component: 'chat-events' }));

  const service = await startNestService({
    name: 'crm',
    module: CrmHttpModule,
    port: config.PORT,
    logger,
    configure: async (app) => {
      registerOperationalRoutes(app, {
        service: 'crm',
        registry,
        checks: { database: async () => void (await dataSource.query('SELECT 1')), bus: () => bus.transport.ping() },
      });
      await mountSubgraph({
        app,
        typeDefs: CRM_TYPE_DEFS,
        resolvers: crmResolvers({
          directory,
          search: new DirectorySearch(dataSource, config.CRM_PHONE_COUNTRY_CODE),
          links,
          panels: new PanelLoader({ links, directory, urls }),
          access: new ChatAccess(new ChatVisibilityClient({ chatServiceUrl: config.CHAT_SERVICE_URL, jwtSecret: config.JWT_SECRET, service: 'crm' })),
          urls,
        }),
        jwtSecret: config.JWT_SECRET,
        logger,
      });
    },
  });

  relay.start();
  const consumers = [
    await bus.subscribe({
      group: CRM_CONSUMER_GROUPS.chatEvents,
      // Directory matching is a side effect nobody waits on (decision 0040).
      background: true,
      topics: [TOPICS.chatEvents],
      handler: (records) => chatEvents.handle(records.map((r) => r.envelope)),
    }),
  ];

  let stopping: Promise<void> | undefined;
  return {
    ...service,
    directory,
    stop: () =>
      (stopping ??= (async () => {
        await service.stop();
        await Promise.all(consumers.map((c) => c.stop()));
        await relay.stop();
        if (ownsBus) await bus.close();
        await dataSource.destroy();
      })()),
  };
}
