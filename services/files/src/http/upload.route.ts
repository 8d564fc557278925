import type { ChatVisibilityClient, Logger } from '@switchboard/service-kit';
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import { FileRefusedError } from '../content/file-classification';
import { readLimited, tooLarge } from '../content/read-limited';
import type { FileStoreService } from '../files/file-store.service';
import { fileView } from '../graphql/file.view';
import type { LinkTokens } from '../tokens/link-tokens';
import { UPLOAD_PATH, type PublicBaseUrl } from './file-links';
import { sendError, sendFailure } from './http-errors';

const querySchema = z.object({ token: z.string().min(1).max(2_000), name: z.string().min(1).max(1_000) });

/**
 * POST /files/uploads?token=<from createFileUpload>&name=<file name>, the raw bytes as the body (any
 * Content-Type: the type is sniffed from the content). Answers 201 with the stored file, or 4xx with
 * `{ error: { reason, message } }`: 413 FILE_TOO_LARGE, 415 FILE_TYPE_MISMATCH / FILE_TYPE_FORBIDDEN /
 * FILE_TYPE_UNKNOWN, 403 LINK_INVALID, 404 CHAT_NOT_FOUND.
 */
export function registerUploadRoute(
  app: Express,
  deps: { store: FileStoreService; tokens: LinkTokens; chats: ChatVisibilityClient; publicUrl: PublicBaseUrl; downloadTtlSeconds: number; logger: Logger },
): void {
  app.post(UPLOAD_PATH, (req: Request, res: Response) => {
    void (async () => {
      const query = querySchema.safeParse(req.query);
      if (!query.success) return sendError(res, 400, 'BAD_REQUEST', 'token and name query parameters are required');
      const claims = deps.tokens.verify('upload', query.data.token);
      const declared = Number(req.headers['content-length']);
      // Refused before reading a byte when the client says how much it sends.
      if (Number.isFinite(declared) && declared > deps.store.maxBytes) throw tooLarge(`"${query.data.name}"`, deps.store.maxBytes);
      // Checked again at upload time: the operator may have lost the chat since the link was issued.
      const visibility = await deps.chats.check({ employeeId: claims.employeeId, role: claims.role, name: '' }, claims.chatId);
      if (!visibility.visible) return sendError(res, 404, 'CHAT_NOT_FOUND', `Chat ${claims.chatId} does not exist or is not visible to you`);
      const bytes = await readLimited(req, deps.store.maxBytes, `"${query.data.name}"`);
      const row = await deps.store.storeUpload({ chatId: claims.chatId, employeeId: claims.employeeId, fileName: query.data.name, bytes });
      res.status(201).json({ file: fileView(row, { links: deps.tokens, publicUrl: deps.publicUrl, ttlSeconds: deps.downloadTtlSeconds }) });
    })().catch((error: unknown) => {
      // An over-size body is refused mid-stream: the rest is not read, so the connection must not be reused.
      if (error instanceof FileRefusedError) res.setHeader('connection', 'close');
      sendFailure(res, error, deps.logger, 'upload');
    });
  });
}
