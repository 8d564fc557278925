import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { EMPTY_PAYLOAD_SHA256, sha256Hex, signRequest, type SigV4Credentials } from './aws-sigv4';
import { StoredObjectMissingError, assertStorageKey, type FileStorage } from './file-storage';

export interface S3StorageOptions {
  /** e.g. https://s3.eu-central-1.amazonaws.com or http://minio:9000; objects are addressed path-style. */
  endpoint: string;
  bucket: string;
  /** Prepended to every key, e.g. "switchboard/"; lets several deployments share a bucket. */
  prefix: string;
  credentials: SigV4Credentials;
  timeoutMs: number;
}

/**
 * Objects in an S3-compatible bucket over plain signed HTTP (SigV4). Path-style addressing
 * (endpoint/bucket/key) works with AWS and with MinIO-like servers alike.
 */
export class S3FileStorage implements FileStorage {
  readonly kind = 's3' as const;

  constructor(private readonly options: S3StorageOptions) {}

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    const response = await this.send('PUT', key, { body: bytes, headers: { 'content-type': contentType, 'content-length': String(bytes.length) } });
    if (!response.ok) throw await s3Error('PUT', key, response);
  }

  async open(key: string): Promise<Readable> {
    const response = await this.send('GET', key);
    if (response.status === 404) {
      await response.body?.cancel();
      throw new StoredObjectMissingError(key);
    }
    if (!response.ok || !response.body) throw await s3Error('GET', key, response);
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }

  async delete(key: string): Promise<void> {
    const response = await this.send('DELETE', key);
    // S3 answers 204 for deleted and for missing objects alike; 404 comes from some compatible servers.
    if (!response.ok && response.status !== 404) throw await s3Error('DELETE', key, response);
    await response.body?.cancel();
  }

  private async send(method: 'PUT' | 'GET' | 'DELETE', key: string, extra: { body?: Buffer; headers?: Record<string, string> } = {}): Promise<Response> {
    assertStorageKey(key);
    const base = this.options.endpoint.replace(/\/+$/, '');
    const url = new URL(`${base}/${this.options.bucket}/${this.options.prefix}${key}`);
    const headers = signRequest({
      method,
      url,
      headers: extra.headers ?? {},
      payloadSha256: extra.body ? sha256Hex(extra.body) : EMPTY_PAYLOAD_SHA256,
      credentials: this.options.credentials,
      now: new Date(),
    });
    // fetch sets host itself; sending it twice is refused by undici.
    delete headers['host'];
    return fetch(url, { method, headers, ...(extra.body ? { body: extra.body } : {}), signal: AbortSignal.timeout(this.options.timeoutMs) });
  }
}

async function s3Error(method: string, key: string, response: Response): Promise<Error> {
  const body = (await response.text()).slice(0, 500);
  return new Error(`S3 ${method} ${key} answered ${response.status}: ${body}`);
}
