import type { Logger } from '@switchboard/service-kit';
import type { Response } from 'express';
import { FILE_REFUSALS, FileRefusedError } from '../content/file-classification';
import { LinkTokenError } from '../tokens/link-tokens';

const STATUS_OF_REFUSAL: Record<string, number> = {
  [FILE_REFUSALS.tooLarge]: 413,
  [FILE_REFUSALS.empty]: 400,
  [FILE_REFUSALS.badName]: 400,
  [FILE_REFUSALS.forbiddenType]: 415,
  [FILE_REFUSALS.unknownType]: 415,
  [FILE_REFUSALS.typeMismatch]: 415,
};

/** Error bodies are `{ error: { reason, message } }`: reason for programs, message for people. */
export function sendError(res: Response, status: number, reason: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).json({ error: { reason, message } });
}

/** Maps the errors the routes expect; anything else is logged and answered 500 (never swallowed). */
export function sendFailure(res: Response, error: unknown, logger: Logger, what: string): void {
  if (error instanceof FileRefusedError) return sendError(res, STATUS_OF_REFUSAL[error.reason] ?? 400, error.reason, error.message);
  if (error instanceof LinkTokenError) return sendError(res, 403, 'LINK_INVALID', error.message);
  logger.error({ err: error }, `${what} failed`);
  sendError(res, 500, 'INTERNAL', `${what} failed`);
}
