import { createLogger, loadConfig } from '@switchboard/service-kit';
import { CHANNEL_VIBER_SERVICE, channelViberConfigSchema } from './channel-viber.config';
import { startChannelViberService } from './channel-viber.bootstrap';

/** Distributed entry point: one process running the Viber connector. */
async function main(): Promise<void> {
  const logger = createLogger(CHANNEL_VIBER_SERVICE);
  const config = loadConfig(CHANNEL_VIBER_SERVICE, channelViberConfigSchema);
  const service = await startChannelViberService({ config, logger });
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping channel-viber');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'channel-viber stopped with errors');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  // Before the logger exists (e.g. a config error) stderr is the only place to say why.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
