import { createLogger, loadConfig } from '@switchboard/service-kit';
import { filesConfigSchema } from './files.config';
import { startFilesService } from './files.service-runner';

/** Distributed entry point: one files service process (stateless besides the storage: scale out freely). */
async function main(): Promise<void> {
  const logger = createLogger('files');
  const config = loadConfig('files', filesConfigSchema);
  const service = await startFilesService({ config, logger });
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
