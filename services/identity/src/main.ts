import { ConfigError, createLogger, loadConfig } from '@switchboard/service-kit';
import { identityConfigSchema } from './identity.config';
import { startIdentityService } from './identity.bootstrap';

/** Distributed mode: the identity service as its own process. */
async function main(): Promise<void> {
  const logger = createLogger('identity');
  const config = loadConfig('identity', identityConfigSchema);
  const service = await startIdentityService({ config, logger });

  const shutdown = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'stopping identity service');
    service.stop().then(
      () => logger.info('identity service stopped'),
      (error: unknown) => {
        logger.error({ err: error }, 'identity service did not stop cleanly');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  // A ConfigError lists every bad variable: printed plainly, since JSON escaping would hide the list.
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
