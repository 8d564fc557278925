import { TOPICS } from '@switchboard/contracts';
import { EventBus, OutboxRelay } from '@switchboard/messaging';
import { connectionsHaveOwnSessions, migrateSchema, openSqlSession } from '@switchboard/persistence';
import {
  createEventBus,
  createMetricsRegistry,
  mountSubgraph,
  observeBus,
  PeriodicJobs,
  registerOperationalRoutes,
  startNestService,
  type Logger,
  type RunningService,
} from '@switchboard/service-kit';
import { Module } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gauge } from 'prom-client';
import { CHAT_CONSUMER_GROUPS, CHAT_SCHEMA, type ChatConfig } from './chat.config';
import { createChatDataSource } from './chat-data-source';
import { registerChatVisibilityRoute } from './access/chat-visibility.route';
import { ConnectionMembersService } from './access/connection-members.service';
import { EmployeeReplicaService } from './employees/employee-replica.service';
import { CannedAnswerService } from './canned-answers/canned-answer.service';
import { ChatActionsService } from './chats/chat-actions.service';
import { ChatQueryService } from './chats/chat-query.service';
import { ChatFeedReader } from './feed/chat-feed.reader';
import { FeedSignal } from './feed/feed-signal';
import { registerFeedRoute } from './feed/feed.route';
import { DeliveryResultService } from './delivery/delivery-result.service';
import { chatResolvers } from './graphql/chat.resolvers';
import { InboundIngestService } from './inbound/inbound-ingest.service';
import { SendMessageService } from './messages/send-message.service';
import { OutboundFiles } from './messages/outbound-files';
import { NoteService } from './notes/note.service';
import { ReadStateService } from './reads/read-state.service';
import { ChatSearchService } from './search/chat-search.service';
import { StatusService } from './statuses/status.service';
import { PresenceIngestService } from './typing/presence-ingest.service';
import { ReportTypingService } from './typing/report-typing.service';
import { TypingStore } from './typing/typing.store';

export const CHAT_TYPE_DEFS = readFileSync(join(__dirname, 'graphql', 'chat.graphql'), 'utf8');

/** The chat service's Nest module: it owns HTTP; the bus wiring below owns the consumers' lifecycle. */
@Module({})
class ChatHttpModule {}

/**
 * Starts the chat service: migrate, then consume inbound events and delivery results, relay the outbox,
 * and serve the chat subgraph. stop() drains consumers before it closes the database.
 */
export async function startChatService(options: { config: ChatConfig; logger: Logger; bus?: EventBus }): Promise<RunningService> {
  const { config, logger } = options;
  const dataSource = createChatDataSource({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  await dataSource.initialize();
  const applied = await migrateSchema(dataSource, CHAT_SCHEMA);
  if (applied.length > 0) logger.info({ applied }, 'chat migrations applied');

  const ownsBus = !options.bus;
  const registry = createMetricsRegistry('chat');
  // Counts this service's own bus traffic (published, consumed, lag, dead letters) on its /metrics.
  const bus = observeBus({ bus: options.bus ?? createEventBus({ config, clientId: 'chat', databaseUrl: config.DATABASE_URL, logger }), registry, owned: ownsBus });
  await bus.transport.connect();

  const relay = new OutboxRelay({
    schema: CHAT_SCHEMA,
    transport: bus.transport,
    logger: logger.child({ component: 'outbox' }),
    openSession: () => openSqlSession(dataSource),
  });
  const feedSignal = new FeedSignal();
  const feedReader = new ChatFeedReader(dataSource);
  const typing = new TypingStore(dataSource);
  const notify = () => {
    relay.notify();
    feedSignal.signal();
  };
  const ingest = new InboundIngestService(dataSource, logger.child({ component: 'ingest' }), notify, {
    concurrency: config.INGEST_CONCURRENCY,
    preparedStatements: await connectionsHaveOwnSessions(dataSource),
  });
  const delivery = new DeliveryResultService(dataSource, notify);
  const queries = new ChatQueryService(dataSource, { rareWordChats: config.SEARCH_RARE_WORD_CHATS });
  const employees = new EmployeeReplicaService(dataSource);
  const resolverDeps = {
    dataSource,
    queries,
    sender: new SendMessageService(dataSource, notify, new OutboundFiles({ filesServiceUrl: config.FILES_SERVICE_URL, jwtSecret: config.JWT_SECRET })),
    actions: new ChatActionsService(dataSource, notify),
    notes: new NoteService(dataSource, notify),
    reads: new ReadStateService(dataSource, notify),
    statuses: new StatusService(dataSource),
    cannedAnswers: new CannedAnswerService(dataSource),
    members: new ConnectionMembersService(dataSource),
    search: new ChatSearchService(dataSource, queries),
    typing: new ReportTypingService(dataSource, (events) => bus.publish(events)),
  };
  const presence = new PresenceIngestService(typing, logger.child({ component: 'presence' }), () => feedSignal.signal());

  let feedRoute: { stop(): Promise<void> } | undefined;
  new Gauge({
    name: 'chat_outbox_backlog',
    help: 'Chat events waiting in the outbox to be published',
    registers: [registry],
    collect: async function (this: Gauge) {
      this.set(await relay.backlog());
    },
  });

  const service = await startNestService({
    name: 'chat',
    module: ChatHttpModule,
    port: config.PORT,
    logger,
    configure: async (app) => {
      registerOperationalRoutes(app, {
        service: 'chat',
        registry,
        checks: { database: async () => void (await dataSource.query('SELECT 1')), bus: () => bus.transport.ping() },
      });
      feedRoute = registerFeedRoute(app, { reader: feedReader, typing, signal: feedSignal, jwtSecret: config.JWT_SECRET, logger });
      registerChatVisibilityRoute(app, { dataSource, jwtSecret: config.JWT_SECRET, logger });
      await mountSubgraph({ app, typeDefs: CHAT_TYPE_DEFS, resolvers: chatResolvers(resolverDeps), jwtSecret: config.JWT_SECRET, logger });
    },
  });

  relay.start();
  // Minutely: the feed's retention is hours, typing entries live seconds.
  const housekeeping = new PeriodicJobs(logger.child({ component: 'housekeeping' }))
    .retain('live feed', config.FEED_RETENTION_HOURS, (olderThan) => feedReader.prune(olderThan), 60_000)
    .every('typing entries', 60_000, async () => void (await typing.prune()));
  housekeeping.start();
  const consumers = [
    await bus.subscribe({
      group: CHAT_CONSUMER_GROUPS.inbound,
      topics: [TOPICS.inbound],
      handler: (records) => ingest.ingest(records.map((r) => r.envelope)),
    }),
    await bus.subscribe({
      group: CHAT_CONSUMER_GROUPS.delivery,
      topics: [TOPICS.delivery],
      handler: (records) => delivery.apply(records.map((r) => r.envelope)),
    }),
    await bus.subscribe({
      group: CHAT_CONSUMER_GROUPS.identity,
      topics: [TOPICS.identityEvents],
      handler: (records) => employees.apply(records.map((r) => r.envelope)),
    }),
    // Ephemeral (decision 0042): the handler never throws, so typing is never retried nor dead-lettered.
    await bus.subscribe({
      group: CHAT_CONSUMER_GROUPS.presence,
      topics: [TOPICS.presence],
      background: true,
      handler: (records) => presence.apply(records.map((r) => r.envelope)),
    }),
  ];

  let stopping: Promise<void> | undefined;
  return {
    ...service,
    stop: () =>
      (stopping ??= (async () => {
        await feedRoute?.stop();
        await service.stop();
        await Promise.all(consumers.map((c) => c.stop()));
        await relay.stop();
        await housekeeping.stop();
        if (ownsBus) await bus.close();
        await dataSource.destroy();
      })()),
  };
}
