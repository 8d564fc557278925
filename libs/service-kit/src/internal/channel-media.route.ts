import type { Express, Request, Response } from 'express';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { bearerToken } from '../auth/access-token';
import { verifyServiceToken } from '../auth/service-token';
import type { Logger } from '../logging/logger';
import { CHANNEL_MEDIA_FAILURES, CHANNEL_MEDIA_PATH } from './channel-media';

/** What a connector found for one (connection, platform file id). */
export type ChannelMediaAnswer =
  | {
      found: true;
      body: Buffer | ReadableStream<Uint8Array>;
      contentType: string | undefined;
      /** Known size in bytes (sent as Content-Length); streamed bodies are still cut at maxBytes. */
      sizeBytes: number | undefined;
      fileName?: string | undefined;
    }
  | { found: false; failure: keyof typeof CHANNEL_MEDIA_FAILURES; message: string };

export interface ChannelMediaRouteOptions {
  /** Channel name for messages and logs, e.g. 'WhatsApp'. */
  platform: string;
  jwtSecret: string;
  /** Largest file handed out; larger ones answer 413 MEDIA_TOO_LARGE (streamed ones are cut off). */
  maxBytes: number;
  /** Longest platform file id accepted (Meta's are CDN URLs, hundreds of characters). */
  maxFileIdLength?: number;
  logger: Logger;
  resolve(params: { connectionId: string; platformFileId: string }): Promise<ChannelMediaAnswer>;
}

/**
 * Serves the service-kit channel-media contract (CHANNEL_MEDIA_PATH) for one connector: service token,
 * parameter checks, 404/413 answers in the contract's body, the bytes streamed with their type and name.
 * The connector only says where the bytes come from (`resolve`); a throw answers 502 so the files
 * service retries later.
 */
export function registerChannelMediaRoute(app: Express, options: ChannelMediaRouteOptions): void {
  const params = z.object({ connectionId: z.uuid(), platformFileId: z.string().min(1).max(options.maxFileIdLength ?? 512) });
  app.get(CHANNEL_MEDIA_PATH, (req: Request, res: Response) => {
    void (async () => {
      try {
        await verifyServiceToken(bearerToken(req.headers.authorization) ?? '', options.jwtSecret);
      } catch (error) {
        return fail(res, 401, 'UNAUTHENTICATED', (error as Error).message);
      }
      const parsed = params.safeParse(req.params);
      if (!parsed.success) {
        return fail(res, 400, 'BAD_REQUEST', `connectionId must be an id and the file id 1-${options.maxFileIdLength ?? 512} characters`);
      }
      const answer = await options.resolve(parsed.data);
      if (!answer.found) return fail(res, answer.failure === 'gone' ? 404 : 413, CHANNEL_MEDIA_FAILURES[answer.failure], answer.message);
      if (answer.sizeBytes !== undefined && answer.sizeBytes > options.maxBytes) {
        if (!Buffer.isBuffer(answer.body)) await answer.body.cancel();
        return fail(res, 413, CHANNEL_MEDIA_FAILURES.tooLarge, `${options.platform} media of ${answer.sizeBytes} bytes is over the limit of ${options.maxBytes} bytes`);
      }
      res.status(200);
      res.setHeader('content-type', answer.contentType ?? 'application/octet-stream');
      if (answer.sizeBytes !== undefined) res.setHeader('content-length', String(answer.sizeBytes));
      if (answer.fileName) res.setHeader('x-file-name', encodeURIComponent(answer.fileName));
      if (Buffer.isBuffer(answer.body)) {
        res.end(answer.body);
        return;
      }
      await pipeline(Readable.fromWeb(answer.body as WebReadableStream<Uint8Array>), limitBytes(options.maxBytes), res);
    })().catch((error: unknown) => {
      options.logger.error({ err: error }, `${options.platform} media download for the files service failed`);
      if (!res.headersSent) fail(res, 502, 'PLATFORM_UNAVAILABLE', `${options.platform} did not hand out the file; try again later`);
      else res.destroy();
    });
  });
}

/**
 * GET of a platform's download URL, as a ChannelMediaAnswer: 403/404/410 mean the link expired or the file
 * is gone (CDNs answer 403 to an expired signature); other failures throw, so the caller retries.
 */
export async function fetchPlatformMedia(
  url: string,
  options: { headers?: Record<string, string>; timeoutMs: number; platform: string },
): Promise<ChannelMediaAnswer> {
  const response = await fetch(url, { ...(options.headers ? { headers: options.headers } : {}), signal: AbortSignal.timeout(options.timeoutMs) });
  if (response.status === 403 || response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    return { found: false, failure: 'gone', message: `${options.platform} answered ${response.status}: the link expired or the file is gone` };
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new Error(`${options.platform} media download answered HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  return {
    found: true,
    body: response.body,
    contentType: response.headers.get('content-type') ?? undefined,
    sizeBytes: Number.isFinite(declared) ? declared : undefined,
  };
}

/** Cuts a stream off past maxBytes: a missing or wrong Content-Length must not let an endless body through. */
function limitBytes(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new Error(`media stream exceeds ${maxBytes} bytes`));
      else callback(null, chunk);
    },
  });
}

function fail(res: Response, status: number, reason: string, message: string): void {
  res.status(status).json({ error: { reason, message } });
}
