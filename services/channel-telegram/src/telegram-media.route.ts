import { CHANNEL_MEDIA_FAILURES, CHANNEL_MEDIA_PATH, bearerToken, verifyServiceToken, type Logger } from '@switchboard/service-kit';
import type { Express, Request, Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { TelegramApiError, type TelegramApiFactory } from './telegram-bot-api.client';
import type { TelegramConnectionRepository } from './telegram-connection.repository';
import type { TelegramTokenVault } from './telegram-token.vault';

/** Bots may download files up to 20 MB (Bot API getFile). */
export const TELEGRAM_BOT_DOWNLOAD_LIMIT = 20 * 1024 * 1024;

const paramsSchema = z.object({ connectionId: z.uuid(), platformFileId: z.string().min(1).max(512) });

/**
 * The service-kit channel-media contract for Telegram (GET /internal/media/:connectionId/:fileId, service
 * token only): getFile, then the download from Telegram's file server, streamed through. The bot token
 * never leaves this service; the files service only ever sees the bytes.
 */
export function registerTelegramMediaRoute(
  app: Express,
  deps: { connections: TelegramConnectionRepository; tokens: TelegramTokenVault; api: TelegramApiFactory; jwtSecret: string; downloadTimeoutMs: number; logger: Logger },
): void {
  app.get(CHANNEL_MEDIA_PATH, (req: Request, res: Response) => {
    void (async () => {
      try {
        await verifyServiceToken(bearerToken(req.headers.authorization) ?? '', deps.jwtSecret);
      } catch (error) {
        return fail(res, 401, 'UNAUTHENTICATED', (error as Error).message);
      }
      const params = paramsSchema.safeParse(req.params);
      if (!params.success) return fail(res, 400, 'BAD_REQUEST', 'connectionId must be an id and the file id 1-512 characters');
      const connection = await deps.connections.findById(params.data.connectionId);
      if (!connection) return fail(res, 404, CHANNEL_MEDIA_FAILURES.gone, `Connection ${params.data.connectionId} does not exist`);
      const api = deps.api(deps.tokens.open(connection));
      let file;
      try {
        file = await api.getFile(params.data.platformFileId);
      } catch (error) {
        // 400 is Telegram's answer for unknown ids ("wrong file_id") and for files over 20 MB ("file is too big").
        if (error instanceof TelegramApiError && error.errorCode === 400) {
          return /too big/i.test(error.description)
            ? fail(res, 413, CHANNEL_MEDIA_FAILURES.tooLarge, `Telegram bots cannot download files over 20 MB (${error.description})`)
            : fail(res, 404, CHANNEL_MEDIA_FAILURES.gone, `Telegram does not know this file (${error.description})`);
        }
        throw error;
      }
      if ((file.file_size ?? 0) > TELEGRAM_BOT_DOWNLOAD_LIMIT || !file.file_path) {
        return fail(res, 413, CHANNEL_MEDIA_FAILURES.tooLarge, 'Telegram bots cannot download files over 20 MB');
      }
      const download = await api.downloadFile(file.file_path, deps.downloadTimeoutMs);
      res.status(200);
      res.setHeader('content-type', download.headers.get('content-type') ?? 'application/octet-stream');
      const length = download.headers.get('content-length');
      if (length) res.setHeader('content-length', length);
      await pipeline(Readable.fromWeb(download.body as WebReadableStream<Uint8Array>), res);
    })().catch((error: unknown) => {
      deps.logger.error({ err: error }, 'media download for the files service failed');
      if (!res.headersSent) fail(res, 502, 'PLATFORM_UNAVAILABLE', 'Telegram did not hand out the file; try again later');
      else res.destroy();
    });
  });
}

function fail(res: Response, status: number, reason: string, message: string): void {
  res.status(status).json({ error: { reason, message } });
}
