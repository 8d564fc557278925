import type { Logger } from '@switchboard/service-kit';
import type { Express, Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { FileRepository } from '../files/file.repository';
import { StoredObjectMissingError, type FileStorage } from '../storage/file-storage';
import { THUMBNAIL_MIME_TYPE } from '../thumbnails/thumbnailer';
import type { LinkTokens } from '../tokens/link-tokens';
import { sendError, sendFailure } from './http-errors';

const paramsSchema = z.object({ fileId: z.uuid() });
const querySchema = z.object({ token: z.string().min(1).max(2_000) });

/**
 * GET /files/:fileId/content?token=<from File.downloadUrl>: the bytes. The token was issued only to an
 * employee who may see the file's chat (checked when the link was made) and expires within minutes.
 * Served as an attachment with nosniff, so a browser never renders an uploaded file as a page.
 */
export function registerDownloadRoute(app: Express, deps: { files: FileRepository; storage: FileStorage; tokens: LinkTokens; logger: Logger }): void {
  app.get('/files/:fileId/content', (req: Request, res: Response) => {
    void (async () => {
      const params = paramsSchema.safeParse(req.params);
      const query = querySchema.safeParse(req.query);
      if (!params.success || !query.success) return sendError(res, 400, 'BAD_REQUEST', 'A file id and a token are required');
      const claims = deps.tokens.verify('download', query.data.token);
      if (claims.fileId !== params.data.fileId) return sendError(res, 403, 'LINK_INVALID', 'The link is for another file');
      const row = await deps.files.find(params.data.fileId);
      // Deleted with its chat after the link was made.
      if (!row || row.state !== 'stored' || !row.storage_key) return sendError(res, 404, 'FILE_NOT_FOUND', 'The file does not exist (any more)');
      let body;
      try {
        body = await deps.storage.open(row.storage_key);
      } catch (error) {
        if (error instanceof StoredObjectMissingError) {
          deps.logger.error({ fileId: row.id, key: row.storage_key }, 'a stored file has no bytes in the storage');
          return sendError(res, 404, 'FILE_NOT_FOUND', 'The file is missing from the storage');
        }
        throw error;
      }
      res.status(200);
      res.setHeader('content-type', row.mime_type ?? 'application/octet-stream');
      res.setHeader('content-length', String(row.size_bytes));
      res.setHeader('content-disposition', contentDisposition(row.file_name ?? `file-${row.id}`));
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('cache-control', 'private, no-store');
      await pipeline(body, res);
    })().catch((error: unknown) => sendFailure(res, error, deps.logger, 'download'));
  });
}

/**
 * GET /files/:fileId/thumbnail?token=<the token of File.thumbnailUrl, the file's download token>: the WebP
 * preview of an image. It is our own re-encoding (never the customer's bytes), so it may be shown inline.
 */
export function registerThumbnailRoute(app: Express, deps: { files: FileRepository; storage: FileStorage; tokens: LinkTokens; logger: Logger }): void {
  app.get('/files/:fileId/thumbnail', (req: Request, res: Response) => {
    void (async () => {
      const params = paramsSchema.safeParse(req.params);
      const query = querySchema.safeParse(req.query);
      if (!params.success || !query.success) return sendError(res, 400, 'BAD_REQUEST', 'A file id and a token are required');
      const claims = deps.tokens.verify('download', query.data.token);
      if (claims.fileId !== params.data.fileId) return sendError(res, 403, 'LINK_INVALID', 'The link is for another file');
      const row = await deps.files.find(params.data.fileId);
      if (!row || row.state !== 'stored' || !row.thumbnail_key) return sendError(res, 404, 'FILE_NOT_FOUND', 'The file has no thumbnail');
      let body;
      try {
        body = await deps.storage.open(row.thumbnail_key);
      } catch (error) {
        if (error instanceof StoredObjectMissingError) {
          deps.logger.error({ fileId: row.id, key: row.thumbnail_key }, 'a thumbnail is recorded but missing from the storage');
          return sendError(res, 404, 'FILE_NOT_FOUND', 'The thumbnail is missing from the storage');
        }
        throw error;
      }
      res.status(200);
      res.setHeader('content-type', THUMBNAIL_MIME_TYPE);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('cache-control', 'private, max-age=300');
      await pipeline(body, res);
    })().catch((error: unknown) => sendFailure(res, error, deps.logger, 'thumbnail'));
  });
}

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name (Cyrillic names are common here). */
function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
