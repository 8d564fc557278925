// Distributed entry point: `node -r ./scripts/register.js gateway/src/main.ts`.
import { readFile } from 'node:fs/promises';
import { createLogger, createRateLimiter, loadConfig, startTracingFromConfig, tracingConfigSchema } from '@switchboard/service-kit';
import { loadGatewayConfig } from './gateway.config';
import { startGateway } from './gateway-server';
import { SUPERGRAPH_FILE } from './subgraphs';

async function main(): Promise<void> {
  const logger = createLogger('gateway');
  try {
    const config = loadGatewayConfig();
    // Before the hub polls: live deliveries end the traces that started at a webhook (decision 0037).
    const tracing = await startTracingFromConfig(loadConfig('gateway', tracingConfigSchema));
    const supergraphSdl = await readFile(SUPERGRAPH_FILE, 'utf8');
    const { redisUrl, ...gatewayConfig } = config;
    const rateLimiter = createRateLimiter({ config: { REDIS_URL: redisUrl }, logger });
    const gateway = await startGateway({ ...gatewayConfig, rateLimiter, supergraphSdl, logger });
    const shutdown = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'stopping gateway');
      gateway
        .stop()
        .then(() => rateLimiter.close())
        .then(() => tracing?.shutdown())
        .then(
        () => {
          logger.info('gateway stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'gateway did not stop cleanly');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  } catch (error) {
    logger.fatal({ err: error }, 'gateway failed to start');
    process.exitCode = 1;
  }
}

void main();
