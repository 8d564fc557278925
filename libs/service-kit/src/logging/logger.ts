import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs, one line per event; `service` on every line so mixed standalone output stays readable.
 * The standalone process names itself with `process` instead, because each embedded service's child
 * logger adds its own `service` binding and pino would otherwise print the key twice.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', options: { nameKey?: 'service' | 'process' } = {}): Logger {
  return pino({
    level,
    base: { [options.nameKey ?? 'service']: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
