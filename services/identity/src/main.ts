import { ConfigError, createLogger, loadConfig } from '@switchboard/service-kit';
import { identityConfigSchema } from './identity.config';
import { startIdentityService } from './identity.bootstrap';

/** How long a graceful stop may take before the process exits anyway (an orchestrator kills soon after). */
const STOP_TIMEOUT_MS = 10_000;

/** Distributed mode: the identity service as its own process. */
async function main(): Promise<void> {
  const logger = createLogger('identity');
  const config = loadConfig('identity', identityConfigSchema);
  const service = await startIdentityService({ config, logger });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    // `on`, not `once`: Apollo Server re-raises the signal after stopping itself, and that second signal
    // must not kill the process before Nest and the database pool have closed.
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping identity service');
    setTimeout(() => {
      logger.error({ timeoutMs: STOP_TIMEOUT_MS }, 'identity service did not stop in time; exiting');
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    service.stop().then(
      () => logger.info('identity service stopped'),
      (error: unknown) => {
        logger.error({ err: error }, 'identity service did not stop cleanly');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  // A ConfigError lists every bad variable: printed plainly, since JSON escaping would hide the list.
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
