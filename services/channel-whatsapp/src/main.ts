import { createLogger, loadConfig } from '@switchboard/service-kit';
import { CHANNEL_WHATSAPP_SERVICE, channelWhatsAppConfigSchema } from './channel-whatsapp.config';
import { startChannelWhatsAppService } from './channel-whatsapp.bootstrap';

/** Distributed entry point: one process running the WhatsApp Cloud API connector. */
async function main(): Promise<void> {
  const logger = createLogger(CHANNEL_WHATSAPP_SERVICE);
  const config = loadConfig(CHANNEL_WHATSAPP_SERVICE, channelWhatsAppConfigSchema);
  const service = await startChannelWhatsAppService({ config, logger });
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping channel-whatsapp');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'channel-whatsapp stopped with errors');
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
