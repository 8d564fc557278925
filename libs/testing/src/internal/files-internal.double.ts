import express from 'express';
import { jwtVerify } from 'jose';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The wire contract of service-kit's internal/files.ts, restated here because libs/testing may not import
// service-kit (service-kit's own tests import libs/testing). Connectors' suites run their real InternalFilesClient
// against this double, so a drift between the two fails those suites.
const SERVICE_TOKEN = { issuer: 'switchboard-internal', audience: 'switchboard-internal' } as const;

interface StoredFile {
  fileId: string;
  chatId: string;
  fileName: string;
  mimeType: string;
  bytes: Buffer;
  /** The secret of its public link (GET /public/:fileId?token=...). */
  linkToken: string;
}

/**
 * Plays the files service's internal file routes for connector tests (a service may not import another): a real
 * service-token check, GET /internal/files/:id (metadata), GET .../content (the bytes), POST .../public-link (a
 * link that serves the bytes without a token, as platforms fetch it). Records which service asked what.
 */
export class FilesInternalDouble {
  private readonly files = new Map<string, StoredFile>();
  /** Every request that passed the token check: the calling service and the path. */
  readonly requests: { service: string; method: string; path: string }[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly jwtSecret: string) {}

  /** Adds an operator's stored file; `url` is what the chat service would put on the outbound command. */
  addFile(file: { fileName: string; mimeType: string; bytes: Buffer; chatId?: string }): { fileId: string; url: string; sizeBytes: number } {
    const fileId = randomUUID();
    this.files.set(fileId, { fileId, chatId: file.chatId ?? randomUUID(), fileName: file.fileName, mimeType: file.mimeType, bytes: file.bytes, linkToken: randomBytes(12).toString('hex') });
    return { fileId, url: `${this.url}/internal/files/${fileId}`, sizeBytes: file.bytes.length };
  }

  /** The file is gone (its chat was deleted): every route answers 404 FILE_NOT_FOUND. */
  removeFile(fileId: string): void {
    this.files.delete(fileId);
  }

  async start(): Promise<void> {
    const app = express();
    const key = new TextEncoder().encode(this.jwtSecret);
    const authorised = async (req: express.Request, res: express.Response): Promise<StoredFile | undefined> => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      let service: string;
      try {
        const { payload } = await jwtVerify(token, key, { ...SERVICE_TOKEN, algorithms: ['HS256'] });
        if (!payload.sub?.startsWith('service:')) throw new Error('not a service token');
        service = payload.sub.slice('service:'.length);
      } catch {
        res.status(401).json({ error: { reason: 'UNAUTHENTICATED', message: 'service token required' } });
        return undefined;
      }
      this.requests.push({ service, method: req.method, path: req.path });
      const file = this.files.get(String(req.params['fileId']));
      if (!file) res.status(404).json({ error: { reason: 'FILE_NOT_FOUND', message: `File ${String(req.params['fileId'])} does not exist (any more)` } });
      return file;
    };
    app.get('/internal/files/:fileId', (req, res) => {
      void authorised(req, res).then((file) => {
        if (!file) return;
        res.json({ fileId: file.fileId, chatId: file.chatId, state: 'stored', fileName: file.fileName, mimeType: file.mimeType, kind: 'document', sizeBytes: file.bytes.length });
      });
    });
    app.get('/internal/files/:fileId/content', (req, res) => {
      void authorised(req, res).then((file) => {
        if (!file) return;
        res.status(200).set({ 'content-type': file.mimeType, 'content-length': String(file.bytes.length), 'x-file-name': encodeURIComponent(file.fileName) }).end(file.bytes);
      });
    });
    app.post('/internal/files/:fileId/public-link', (req, res) => {
      void authorised(req, res).then((file) => {
        if (!file) return;
        res.json({ url: `${this.url}/public/${file.fileId}?token=${file.linkToken}`, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
      });
    });
    app.get('/public/:fileId', (req, res) => {
      const file = this.files.get(req.params.fileId);
      if (!file || req.query['token'] !== file.linkToken) {
        res.status(403).json({ error: { reason: 'LINK_INVALID', message: 'The link is not valid' } });
        return;
      }
      res.status(200).set({ 'content-type': file.mimeType, 'content-length': String(file.bytes.length) }).end(file.bytes);
    });
    await new Promise<void>((resolve) => {
      this.server = app.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => (this.server ? this.server.close((error) => (error ? reject(error) : resolve())) : resolve()));
  }
}
