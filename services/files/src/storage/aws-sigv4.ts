import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 for S3-compatible APIs (AWS S3, MinIO, Ceph, R2...), written on node:crypto
 * because no AWS SDK is among the project's packages. Covers what the files service sends: single-chunk
 * requests with the payload hash in x-amz-content-sha256, no query parameters.
 * Reference: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */
export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service?: string;
}

export const EMPTY_PAYLOAD_SHA256 = createHash('sha256').update('').digest('hex');

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it: unreserved characters stay, slashes of the path stay. */
function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(decodeURIComponent(segment)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** `20130524T000000Z` and `20130524`. */
function amzDates(now: Date): { amzDate: string; day: string } {
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return { amzDate, day: amzDate.slice(0, 8) };
}

/**
 * Returns the headers to send: the given ones plus host, x-amz-date, x-amz-content-sha256 and
 * Authorization. Every given header is signed.
 */
export function signRequest(params: {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  payloadSha256: string;
  credentials: SigV4Credentials;
  now: Date;
}): Record<string, string> {
  if (params.url.search !== '') throw new Error('signRequest does not sign query parameters');
  const { amzDate, day } = amzDates(params.now);
  const service = params.credentials.service ?? 's3';
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(params.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
    host: params.url.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': params.payloadSha256,
  };
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((name) => `${name}:${headers[name]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [params.method, encodePath(params.url.pathname), '', canonicalHeaders, signedHeaders, params.payloadSha256].join('\n');
  const scope = `${day}/${params.credentials.region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${params.credentials.secretAccessKey}`, day), params.credentials.region), service), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${params.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
