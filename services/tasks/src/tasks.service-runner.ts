import { TOPICS } from '@switchboard/contracts';
import { EventBus, OutboxRelay } from '@switchboard/messaging';
import { migrateSchema, openSqlSession } from '@switchboard/persistence';
import {
  ChatVisibilityClient,
  LiveFeedSignal,
  LiveFeedStore,
  createEventBus,
  createMetricsRegistry,
  mountSubgraph,
  observeBus,
  PeriodicJobs,
  registerLiveFeedRoute,
  registerOperationalRoutes,
  registerOutboxBacklogGauge,
  startNestService,
  type Logger,
  type RunningService,
} from '@switchboard/service-kit';
import { Module } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Counter } from 'prom-client';
import { CalendarEventService } from './calendar/calendar-event.service';
import { ChatDeletedConsumer } from './chat-events/chat-deleted.consumer';
import { tasksResolvers } from './graphql/tasks.resolvers';
import { ReminderScheduler } from './reminders/reminder-scheduler';
import { ReminderService } from './reminders/reminder.service';
import { TASKS_CONSUMER_GROUPS, TASKS_SCHEMA, type TasksConfig } from './tasks.config';
import { createTasksDataSource } from './tasks-data-source';
import { TaskService } from './tasks/task.service';

export const TASKS_TYPE_DEFS = readFileSync(join(__dirname, 'graphql', 'tasks.graphql'), 'utf8');

/** The tasks service's Nest module: it owns HTTP; the bus and scheduler wiring below own their lifecycles. */
@Module({})
class TasksHttpModule {}

export interface RunningTasksService extends RunningService {
  /** The reminder scheduler of this instance (tests drive and observe it). */
  scheduler: ReminderScheduler;
}

/**
 * Starts the tasks service: migrate, then fire due reminders (exactly once across instances), relay the
 * outbox, consume chat events (deleted chats cancel their reminders), serve the tasks subgraph and the
 * live feed of fired reminders (POST /internal/feed, for the gateway's reminderEvents subscription).
 * stop() stops HTTP, the consumer and the scheduler before it closes the database.
 */
export async function startTasksService(options: { config: TasksConfig; logger: Logger; bus?: EventBus }): Promise<RunningTasksService> {
  const { config, logger } = options;
  const dataSource = createTasksDataSource({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  await dataSource.initialize();
  const applied = await migrateSchema(dataSource, TASKS_SCHEMA);
  if (applied.length > 0) logger.info({ applied }, 'tasks migrations applied');

  const ownsBus = !options.bus;
  const registry = createMetricsRegistry('tasks');
  // Counts this service's own bus traffic (published, consumed, lag, dead letters) on its /metrics (decision 0028).
  const bus = observeBus({ bus: options.bus ?? createEventBus({ config, clientId: 'tasks', databaseUrl: config.DATABASE_URL, logger }), registry, owned: ownsBus });
  await bus.transport.connect();

  const relay = new OutboxRelay({
    schema: TASKS_SCHEMA,
    transport: bus.transport,
    logger: logger.child({ component: 'outbox' }),
    openSession: () => openSqlSession(dataSource),
  });
  const firedCounter = new Counter({ name: 'tasks_reminders_fired_total', help: 'Reminders fired by this instance', registers: [registry] });
  const feed = new LiveFeedStore(dataSource, TASKS_SCHEMA);
  const feedSignal = new LiveFeedSignal();
  const scheduler = new ReminderScheduler({
    dataSource,
    feed,
    logger: logger.child({ component: 'reminder-scheduler' }),
    pollMs: config.REMINDER_POLL_MS,
    onFired: (fired) => {
      firedCounter.inc(fired.length);
      relay.notify();
      feedSignal.signal();
    },
  });
  const reminders = new ReminderService(dataSource, () => scheduler.wake());
  const chatDeleted = new ChatDeletedConsumer(reminders, logger.child({ component: 'chat-events' }));
  registerOutboxBacklogGauge({ registry, prefix: 'tasks', relay });

  let feedRoute: { stop(): Promise<void> } | undefined;
  const service = await startNestService({
    name: 'tasks',
    module: TasksHttpModule,
    port: config.PORT,
    logger,
    configure: async (app) => {
      registerOperationalRoutes(app, {
        service: 'tasks',
        registry,
        checks: { database: async () => void (await dataSource.query('SELECT 1')), bus: () => bus.transport.ping() },
      });
      feedRoute = registerLiveFeedRoute(app, { reader: feed, signal: feedSignal, jwtSecret: config.JWT_SECRET, logger });
      await mountSubgraph({
        app,
        typeDefs: TASKS_TYPE_DEFS,
        resolvers: tasksResolvers({
          tasks: new TaskService(dataSource),
          events: new CalendarEventService(dataSource),
          reminders,
          chats: new ChatVisibilityClient({ chatServiceUrl: config.CHAT_SERVICE_URL, jwtSecret: config.JWT_SECRET, service: 'tasks' }),
        }),
        jwtSecret: config.JWT_SECRET,
        logger,
      });
    },
  });

  relay.start();
  scheduler.start();
  const housekeeping = new PeriodicJobs(logger.child({ component: 'housekeeping' })).retain('live feed', config.FEED_RETENTION_HOURS, (olderThan) => feed.prune(olderThan), 60_000);
  housekeeping.start();
  const consumers = [
    await bus.subscribe({
      group: TASKS_CONSUMER_GROUPS.chatEvents,
      // Cancelling a deleted chat's reminders is a side effect nobody waits on (decision 0040).
      background: true,
      topics: [TOPICS.chatEvents],
      handler: (records) => chatDeleted.handle(records.map((r) => r.envelope)),
    }),
  ];

  let stopping: Promise<void> | undefined;
  return {
    ...service,
    scheduler,
    stop: () =>
      (stopping ??= (async () => {
        await feedRoute?.stop();
        await service.stop();
        await Promise.all(consumers.map((c) => c.stop()));
        await scheduler.stop();
        await relay.stop();
        await housekeeping.stop();
        if (ownsBus) await bus.close();
        await dataSource.destroy();
      })()),
  };
}
