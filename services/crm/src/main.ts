import { createLogger, loadConfig } from '@switchboard/service-kit';
import { crmConfigSchema } from './crm.config';
import { startCrmService } from './crm.service-runner';

/** Distributed entry point: one crm service process (scale out by running more: the consumer group splits chats). */
async function main(): Promise<void> {
  const logger = createLogger('crm');
  const config = loadConfig('crm', crmConfigSchema);
  const service = await startCrmService({ config, logger });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: draining the consumer');
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
