import { CHANNEL_MEDIA_FAILURES, CHANNEL_MEDIA_PATH, bearerToken, verifyServiceToken, type Logger } from '@switchboard/service-kit';
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import { floodWaitSeconds } from '../client/telegram-rpc-error';
import type { MediaDownload } from '../client/telegram-user-client.port';
import type { TelegramUserConnectionRepository } from '../connections/connection.repository';
import { parseMediaFileId } from './media-file-id';

const paramsSchema = z.object({ connectionId: z.uuid(), platformFileId: z.string().min(1).max(512) });

export interface TelegramUserMediaRouteDeps {
  connections: Pick<TelegramUserConnectionRepository, 'findById'>;
  /** Downloads through the account's live client; undefined when the account is not live on this instance. */
  download: (connectionId: string, params: { messageId: number; maxBytes: number }) => Promise<MediaDownload> | undefined;
  maxBytes: number;
  jwtSecret: string;
  logger: Logger;
}

/**
 * The service-kit channel-media contract for Telegram user accounts (GET /internal/media/:connectionId/
 * :platformFileId, service token only): the message named in the file id is fetched again and its photo or
 * document downloaded through the account's live MTProto client. Only the lease holder has that client:
 * another instance answers 503 and closes the connection, so the files service's retry can reach the holder.
 */
export function registerTelegramUserMediaRoute(app: Express, deps: TelegramUserMediaRouteDeps): void {
  app.get(CHANNEL_MEDIA_PATH, (req: Request, res: Response) => {
    void (async () => {
      try {
        await verifyServiceToken(bearerToken(req.headers.authorization) ?? '', deps.jwtSecret);
      } catch (error) {
        return fail(res, 401, 'UNAUTHENTICATED', (error as Error).message);
      }
      const params = paramsSchema.safeParse(req.params);
      if (!params.success) return fail(res, 400, 'BAD_REQUEST', 'connectionId must be an id and the file id 1-512 characters');
      const { connectionId, platformFileId } = params.data;
      const ref = parseMediaFileId(platformFileId);
      if (!ref) return fail(res, 404, CHANNEL_MEDIA_FAILURES.gone, `${platformFileId} is not a file id of this connector (photo:<id>@<message id> or document:<id>@<message id>)`);
      const connection = await deps.connections.findById(connectionId);
      if (!connection) return fail(res, 404, CHANNEL_MEDIA_FAILURES.gone, `Connection ${connectionId} does not exist`);
      if (connection.state === 'disconnected') return fail(res, 404, CHANNEL_MEDIA_FAILURES.gone, `Telegram account ${connection.displayName} is disconnected`);
      const downloading = deps.download(connectionId, { messageId: ref.messageId, maxBytes: deps.maxBytes });
      if (!downloading) {
        res.setHeader('connection', 'close');
        return fail(res, 503, 'NOT_LIVE_HERE', `Telegram account ${connection.displayName} is not live on this instance; try again`);
      }
      let media: MediaDownload;
      try {
        media = await downloading;
      } catch (error) {
        const wait = floodWaitSeconds(error);
        if (wait === undefined) throw error;
        res.setHeader('retry-after', String(wait));
        return fail(res, 503, 'FLOOD_WAIT', `Telegram asked to wait ${wait} s before downloading`);
      }
      // The message was deleted, or edited to carry other media: the file asked for no longer exists.
      if (media.state === 'gone' || media.mediaId !== ref.mediaId) return fail(res, 404, CHANNEL_MEDIA_FAILURES.gone, 'The message or its file was deleted or replaced');
      if (media.state === 'too-large') {
        return fail(res, 413, CHANNEL_MEDIA_FAILURES.tooLarge, `The file has ${media.sizeBytes} bytes; this connector hands out at most ${deps.maxBytes} (TELEGRAM_USER_MEDIA_MAX_BYTES)`);
      }
      res.status(200);
      res.setHeader('content-type', media.mimeType);
      res.setHeader('content-length', String(media.bytes.length));
      if (media.fileName) res.setHeader('x-file-name', encodeURIComponent(media.fileName));
      res.end(media.bytes);
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
