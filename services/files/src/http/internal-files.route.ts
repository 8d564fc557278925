import {
  INTERNAL_FILE_CONTENT_PATH,
  INTERNAL_FILE_PATH,
  INTERNAL_FILE_PUBLIC_LINK_PATH,
  bearerToken,
  verifyServiceToken,
  type InternalFile,
  type Logger,
} from '@switchboard/service-kit';
import type { Express, Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { FileRepository } from '../files/file.repository';
import type { FileRow } from '../files/file.row';
import { StoredObjectMissingError, type FileStorage } from '../storage/file-storage';
import type { LinkTokens } from '../tokens/link-tokens';
import { downloadPath, type PublicBaseUrl } from './file-links';
import { sendError, sendFailure } from './http-errors';

/**
 * Platforms fetch a sent file some time after send_message (Viber downloads it for the receiver's devices), so
 * their links live longer than an employee's download link; still a bearer credential for one file only.
 */
export const PLATFORM_LINK_TTL_SECONDS = 3_600;

const paramsSchema = z.object({ fileId: z.uuid() });

/**
 * The service-kit internal file routes (decision 0036), service token only: metadata for the chat service's
 * check before a send, the bytes for connectors that upload them to their platform, and a signed public link
 * for platforms that only take a URL. Who may send which file was decided by the chat service (the file's chat
 * is visible to the sender); these routes trust the calling service.
 */
export function registerInternalFileRoutes(
  app: Express,
  deps: { files: FileRepository; storage: FileStorage; tokens: LinkTokens; publicUrl: PublicBaseUrl; jwtSecret: string; logger: Logger },
): void {
  const withFile = (handler: (row: FileRow, res: Response) => Promise<void>) => (req: Request, res: Response) => {
    void (async () => {
      try {
        await verifyServiceToken(bearerToken(req.headers.authorization) ?? '', deps.jwtSecret);
      } catch (error) {
        return sendError(res, 401, 'UNAUTHENTICATED', (error as Error).message);
      }
      const params = paramsSchema.safeParse(req.params);
      if (!params.success) return sendError(res, 400, 'BAD_REQUEST', 'fileId must be an id');
      const row = await deps.files.find(params.data.fileId);
      if (!row) return sendError(res, 404, 'FILE_NOT_FOUND', `File ${params.data.fileId} does not exist (any more)`);
      await handler(row, res);
    })().catch((error: unknown) => sendFailure(res, error, deps.logger, 'internal file request'));
  };

  app.get(
    INTERNAL_FILE_PATH,
    withFile(async (row, res) => {
      res.status(200).json(describe(row));
    }),
  );

  app.get(
    INTERNAL_FILE_CONTENT_PATH,
    withFile(async (row, res) => {
      if (row.state !== 'stored' || !row.storage_key) return sendError(res, 409, 'FILE_NOT_STORED', `File ${row.id} is ${row.state}, not stored`);
      let body;
      try {
        body = await deps.storage.open(row.storage_key);
      } catch (error) {
        if (!(error instanceof StoredObjectMissingError)) throw error;
        deps.logger.error({ fileId: row.id, key: row.storage_key }, 'a stored file has no bytes in the storage');
        return sendError(res, 404, 'FILE_NOT_FOUND', 'The file is missing from the storage');
      }
      res.status(200);
      res.setHeader('content-type', row.mime_type ?? 'application/octet-stream');
      res.setHeader('content-length', String(row.size_bytes));
      if (row.file_name) res.setHeader('x-file-name', encodeURIComponent(row.file_name));
      await pipeline(body, res);
    }),
  );

  app.post(
    INTERNAL_FILE_PUBLIC_LINK_PATH,
    withFile(async (row, res) => {
      if (row.state !== 'stored') return sendError(res, 409, 'FILE_NOT_STORED', `File ${row.id} is ${row.state}, not stored`);
      const link = deps.tokens.sign('download', { fileId: row.id }, PLATFORM_LINK_TTL_SECONDS);
      res.status(200).json({ url: deps.publicUrl.link(downloadPath(row.id), { token: link.token }), expiresAt: link.expiresAt.toISOString() });
    }),
  );
}

function describe(row: FileRow): InternalFile {
  return {
    fileId: row.id,
    chatId: row.chat_id,
    state: row.state,
    fileName: row.file_name,
    mimeType: row.mime_type,
    kind: row.kind,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
  };
}
