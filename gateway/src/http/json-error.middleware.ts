import type { ErrorRequestHandler } from 'express';
import { ERROR_CODES, type Logger } from '@switchboard/service-kit';

/**
 * Answers body-parser failures (oversized or malformed JSON) in the GraphQL error shape instead of
 * express's HTML page, so clients parse one format. Anything else is logged and answered as a 500.
 */
export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = httpStatusOf(error);
    if (status >= 400 && status < 500) {
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : ERROR_CODES.badUserInput;
      res.status(status).json({ errors: [{ message: (error as Error).message, extensions: { code } }] });
      return;
    }
    logger.error({ err: error }, 'unhandled HTTP error');
    res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: ERROR_CODES.internal } }] });
  };
}

function httpStatusOf(error: unknown): number {
  if (typeof error === 'object' && error !== null) {
    const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
    if (typeof status === 'number') return status;
    if (typeof statusCode === 'number') return statusCode;
  }
  return 500;
}
