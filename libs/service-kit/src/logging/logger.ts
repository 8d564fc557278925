import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** JSON logs, one line per event; `service` on every line so mixed standalone output stays readable. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
