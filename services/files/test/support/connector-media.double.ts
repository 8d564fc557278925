import { CHANNEL_MEDIA_PATH, bearerToken, verifyServiceToken } from '@switchboard/service-kit';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Plays a channel connector's GET /internal/media/:connectionId/:platformFileId (service-kit contract)
 * for the files service's tests: real service-token check, files the test registers, 404 for others,
 * and a switch to answer 503 (a connector that is down for a while).
 */
export class ConnectorMediaDouble {
  private readonly media = new Map<string, { bytes: Buffer; mimeType: string; fileName?: string }>();
  readonly requests: { connectionId: string; platformFileId: string }[] = [];
  failWith: number | undefined;
  private server: Server | undefined;
  url = '';

  constructor(private readonly jwtSecret: string) {}

  add(connectionId: string, platformFileId: string, file: { bytes: Buffer; mimeType: string; fileName?: string }): void {
    this.media.set(`${connectionId}/${platformFileId}`, file);
  }

  async start(): Promise<void> {
    const app = express();
    app.get(CHANNEL_MEDIA_PATH, (req, res) => {
      void (async () => {
        try {
          await verifyServiceToken(bearerToken(req.headers.authorization) ?? '', this.jwtSecret);
        } catch {
          res.status(401).json({ error: { reason: 'UNAUTHENTICATED', message: 'service token required' } });
          return;
        }
        const { connectionId, platformFileId } = req.params as { connectionId: string; platformFileId: string };
        this.requests.push({ connectionId, platformFileId });
        if (this.failWith) {
          res.status(this.failWith).json({ error: { reason: 'DOWN', message: 'connector unavailable' } });
          return;
        }
        const file = this.media.get(`${connectionId}/${platformFileId}`);
        if (!file) {
          res.status(404).json({ error: { reason: 'MEDIA_GONE', message: 'unknown file' } });
          return;
        }
        res.setHeader('content-type', file.mimeType);
        if (file.fileName) res.setHeader('x-file-name', encodeURIComponent(file.fileName));
        res.end(file.bytes);
      })();
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
