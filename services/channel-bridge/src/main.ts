import { createLogger, loadConfig } from '@switchboard/service-kit';
import { CHANNEL_BRIDGE_SERVICE, channelBridgeConfigSchema } from './channel-bridge.config';
import { startChannelBridgeService } from './channel-bridge.bootstrap';

/** Distributed entry point: one process running the bridge channel. */
async function main(): Promise<void> {
  const logger = createLogger(CHANNEL_BRIDGE_SERVICE);
  const config = loadConfig(CHANNEL_BRIDGE_SERVICE, channelBridgeConfigSchema);
  const service = await startChannelBridgeService({ config, logger });
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping channel-bridge');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'channel-bridge stopped with errors');
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
