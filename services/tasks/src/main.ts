import { createLogger, loadConfig } from '@switchboard/service-kit';
import { tasksConfigSchema } from './tasks.config';
import { startTasksService } from './tasks.service-runner';

/** Distributed entry point: one tasks service process (scale out by running more: reminders still fire once, decision 0022). */
async function main(): Promise<void> {
  const logger = createLogger('tasks');
  const config = loadConfig('tasks', tasksConfigSchema);
  const service = await startTasksService({ config, logger });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: draining the consumer and the scheduler');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
