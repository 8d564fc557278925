/**
 * Storage implementations: the SigV4 signer against AWS's published example, and the S3 storage's wire
 * requests (path-style, signed, payload hash) round-tripping through a minimal S3 double that re-derives
 * the signature with the secret it was given.
 */
import express from 'express';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { DiskFileStorage } from '../src/storage/disk-file-storage';
import { EMPTY_PAYLOAD_SHA256, sha256Hex, signRequest } from '../src/storage/aws-sigv4';
import { StoredObjectMissingError, storageKeyFor, type FileStorage } from '../src/storage/file-storage';
import { S3FileStorage } from '../src/storage/s3-file-storage';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1' };

describe('AWS SigV4', () => {
  it("matches AWS's documented example (GET Object with Range, S3 API reference)", () => {
    const headers = signRequest({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      headers: { Range: 'bytes=0-9' },
      payloadSha256: EMPTY_PAYLOAD_SHA256,
      credentials,
      now: new Date('2013-05-24T00:00:00Z'),
    });
    expect(headers['authorization']).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });
});

/** Keeps objects in memory; refuses requests whose signature does not verify with the shared secret. */
async function startS3Double(bucket: string): Promise<{ url: string; objects: Map<string, Buffer>; close(): Promise<void> }> {
  const objects = new Map<string, Buffer>();
  const app = express();
  app.use(express.raw({ type: () => true, limit: '10mb' }));
  app.all(/.*/, (req, res) => {
    const url = new URL(req.originalUrl, `http://${req.headers.host}`);
    const signed = /SignedHeaders=([^,]+)/.exec(req.headers.authorization ?? '')?.[1]?.split(';') ?? [];
    const given = Object.fromEntries(signed.filter((h) => h !== 'host').map((h) => [h, String(req.headers[h])]));
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (req.headers['x-amz-content-sha256'] !== sha256Hex(body)) return void res.status(400).send('<Error><Code>XAmzContentSHA256Mismatch</Code></Error>');
    const expected = signRequest({
      method: req.method,
      url,
      headers: given,
      payloadSha256: String(req.headers['x-amz-content-sha256']),
      credentials,
      now: new Date(String(req.headers['x-amz-date']).replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')),
    });
    if (expected['authorization'] !== req.headers.authorization) return void res.status(403).send('<Error><Code>SignatureDoesNotMatch</Code></Error>');
    if (!url.pathname.startsWith(`/${bucket}/`)) return void res.status(404).send('<Error><Code>NoSuchBucket</Code></Error>');
    const key = decodeURIComponent(url.pathname.slice(bucket.length + 2));
    if (req.method === 'PUT') {
      objects.set(key, body);
      return void res.status(200).end();
    }
    if (req.method === 'DELETE') {
      objects.delete(key);
      return void res.status(204).end();
    }
    const object = objects.get(key);
    if (!object) return void res.status(404).send('<Error><Code>NoSuchKey</Code></Error>');
    res.status(200).end(object);
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

async function roundTrip(storage: FileStorage): Promise<string> {
  const key = storageKeyFor(randomUUID());
  await storage.put(key, Buffer.from('Привіт, файл'), 'text/plain');
  expect(await text(await storage.open(key))).toBe('Привіт, файл');
  await storage.delete(key);
  await storage.delete(key);
  await expect(storage.open(key)).rejects.toBeInstanceOf(StoredObjectMissingError);
  await expect(storage.put('../escape', Buffer.from('x'), 'text/plain')).rejects.toThrow('Invalid storage key');
  return key;
}

describe('file storages', () => {
  it('disk: stores, reads, deletes (twice), refuses keys outside its directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-disk-'));
    try {
      await roundTrip(new DiskFileStorage(dir));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('s3: signed path-style requests under the prefix; a wrong secret is refused by the server', async () => {
    const s3 = await startS3Double('switchboard-files');
    try {
      const storage = new S3FileStorage({ endpoint: s3.url, bucket: 'switchboard-files', prefix: 'prod/', credentials, timeoutMs: 5_000 });
      const key = storageKeyFor(randomUUID());
      await storage.put(key, Buffer.from('bytes'), 'application/pdf');
      expect([...s3.objects.keys()]).toEqual([`prod/${key}`]);
      await roundTrip(storage);
      const forged = new S3FileStorage({ endpoint: s3.url, bucket: 'switchboard-files', prefix: '', credentials: { ...credentials, secretAccessKey: 'wrong' }, timeoutMs: 5_000 });
      await expect(forged.put(key, Buffer.from('x'), 'text/plain')).rejects.toThrow(/403.*SignatureDoesNotMatch/);
    } finally {
      await s3.close();
    }
  });
});
