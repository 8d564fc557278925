import type { z } from 'zod';
import { ConfigError, loadConfig } from '../config/load-config';
import { createLogger, type Logger } from '../logging/logger';
import { startTracingFromConfig, tracingConfigSchema } from '../tracing/tracing';

/** Longer than any service's drain needs, shorter than an orchestrator's grace period (k8s: 30 s by default). */
const DEFAULT_STOP_TIMEOUT_MS = 25_000;

/**
 * The one way a service runs as its own process (distributed mode): read and check its environment, start
 * it, and on SIGTERM/SIGINT stop it gracefully, exiting 1 when stopping fails or takes too long.
 */
export function runServiceMain<TSchema extends z.ZodType>(options: {
  name: string;
  configSchema: TSchema;
  start: (args: { config: z.output<TSchema>; logger: Logger }) => Promise<{ stop(): Promise<void> }>;
  stopTimeoutMs?: number;
}): void {
  const main = async (): Promise<void> => {
    const logger = createLogger(options.name);
    const config = loadConfig(options.name, options.configSchema);
    // Before start(), so the first webhook and the first consumed batch are traced too (decision 0037).
    const tracing = await startTracingFromConfig(loadConfig(options.name, tracingConfigSchema));
    if (tracing) logger.info('tracing on: spans go to OTEL_EXPORTER_OTLP_ENDPOINT');
    // Handlers go in before start(): a service can answer /ready while start() still subscribes its consumers,
    // and an orchestrator's SIGTERM in that window (a scale-in right after a scale-out) must still drain,
    // not kill the process with the signal's default action (found by the chaos suite, test/chaos).
    const starting = options.start({ config, logger });
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      // Ignore repeats rather than `once`: Apollo Server re-raises the signal after stopping itself, and that
      // second signal must not end the process before the consumers and the database pool have closed.
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, `stopping ${options.name}`);
      const timeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
      setTimeout(() => {
        logger.error({ timeoutMs }, `${options.name} did not stop in time; exiting`);
        process.exit(1);
      }, timeoutMs).unref();
      starting
        .then((service) => service.stop())
        // The spans of the drain are the last ones: export them before exiting.
        .then(() => tracing?.shutdown())
        .then(
          () => {
            logger.info(`${options.name} stopped`);
            process.exit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, `${options.name} did not stop cleanly`);
            process.exit(1);
          },
        );
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
    await starting;
  };
  main().catch((error: unknown) => {
    // Before the logger exists stderr is the only place to say why; a ConfigError lists every bad variable,
    // printed plainly since JSON escaping would hide the list.
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
