import { z } from 'zod';
import { ServiceTokenSource } from '../auth/service-token';

/**
 * The files service's internal routes (service token only; not public API), for services that act on an
 * operator's uploaded file (decision 0036):
 * - GET  /internal/files/:fileId             -> the file's metadata (the chat service checks a send with it)
 * - GET  /internal/files/:fileId/content     -> the bytes (connectors that upload to their platform)
 * - POST /internal/files/:fileId/public-link -> a signed download link platforms can fetch (Viber, Instagram)
 * An outbound command's attachment `url` is the first one (`internalFileUrl`); the others hang below it, so a
 * connector needs no address of the files service of its own.
 * Errors answer `{ error: { reason, message } }`: 404 FILE_NOT_FOUND, 409 FILE_NOT_STORED, 401 without a token.
 */
export const INTERNAL_FILE_PATH = '/internal/files/:fileId';
export const INTERNAL_FILE_CONTENT_PATH = '/internal/files/:fileId/content';
export const INTERNAL_FILE_PUBLIC_LINK_PATH = '/internal/files/:fileId/public-link';

export const internalFileSchema = z.object({
  fileId: z.uuid(),
  chatId: z.uuid(),
  state: z.enum(['pending', 'stored', 'failed']),
  fileName: z.string().nullable(),
  mimeType: z.string().nullable(),
  kind: z.string(),
  sizeBytes: z.number().int().nonnegative().nullable(),
});
export type InternalFile = z.infer<typeof internalFileSchema>;

export const publicFileLinkSchema = z.object({ url: z.url(), expiresAt: z.iso.datetime({ offset: true }) });
export type PublicFileLink = z.infer<typeof publicFileLinkSchema>;

export function internalFileUrl(filesServiceUrl: string, fileId: string): string {
  return new URL(`/internal/files/${encodeURIComponent(fileId)}`, filesServiceUrl).toString();
}

/** A file's route answered an error (the body's reason and message), or something that is not the contract. */
export class InternalFileError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'InternalFileError';
  }

  /** 4xx: asking again cannot help (the file is gone, refused, or not this file). */
  get permanent(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 401 && this.status !== 408 && this.status !== 429;
  }
}

const errorBodySchema = z.object({ error: z.object({ reason: z.string(), message: z.string() }) });

/** Calls the files service's internal routes with this service's token. */
export class InternalFilesClient {
  private readonly tokens: ServiceTokenSource;

  constructor(private readonly options: { jwtSecret: string; service: string; timeoutMs?: number }) {
    this.tokens = new ServiceTokenSource({ jwtSecret: options.jwtSecret, service: options.service });
  }

  async describe(fileUrl: string): Promise<InternalFile> {
    const response = await this.call(fileUrl, 'GET');
    return internalFileSchema.parse(await response.json());
  }

  /** The bytes, refused above maxBytes (the platform's own limit, checked again here as the last line). */
  async content(fileUrl: string, maxBytes: number): Promise<{ bytes: Buffer; mimeType: string; fileName: string | undefined }> {
    const response = await this.call(`${fileUrl}/content`, 'GET');
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body?.cancel();
      throw new InternalFileError(413, 'FILE_TOO_LARGE', `The file has ${declared} bytes; at most ${maxBytes} can be sent`);
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > maxBytes) throw new InternalFileError(413, 'FILE_TOO_LARGE', `The file has ${bytes.length} bytes; at most ${maxBytes} can be sent`);
    const name = response.headers.get('x-file-name');
    return { bytes, mimeType: response.headers.get('content-type') ?? 'application/octet-stream', fileName: name ? decodeURIComponent(name) : undefined };
  }

  async publicLink(fileUrl: string): Promise<PublicFileLink> {
    const response = await this.call(`${fileUrl}/public-link`, 'POST');
    return publicFileLinkSchema.parse(await response.json());
  }

  private async call(url: string, method: 'GET' | 'POST'): Promise<Response> {
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${await this.tokens.current()}` },
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
    });
    if (response.ok) return response;
    const text = await response.text();
    const body = errorBodySchema.safeParse(safeJson(text));
    if (body.success) throw new InternalFileError(response.status, body.data.error.reason, body.data.error.message);
    throw new InternalFileError(response.status, 'FILES_SERVICE_ERROR', `The files service answered ${response.status} to ${method} ${new URL(url).pathname}: ${text.slice(0, 200)}`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
