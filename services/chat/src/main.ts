import { createLogger, loadConfig } from '@switchboard/service-kit';
import { chatConfigSchema } from './chat.config';
import { startChatService } from './chat.service-runner';

/** Distributed entry point: one chat service process (scale out by running more; Kafka splits partitions). */
async function main(): Promise<void> {
  const logger = createLogger('chat');
  const config = loadConfig('chat', chatConfigSchema);
  const service = await startChatService({ config, logger });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: draining consumers');
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
