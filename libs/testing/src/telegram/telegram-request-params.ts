import type { IncomingMessage } from 'node:http';

// The Bot API accepts parameters as query string, urlencoded form, JSON or multipart. Form and query
// values arrive as strings (objects JSON-serialised), JSON values arrive typed: the accessors below
// accept both so the double is as lenient as Telegram and a connector may use any encoding.

export interface UploadedFile {
  kind: 'upload';
  fileName?: string;
  contentType?: string;
  bytes: Buffer;
}

export type ApiParams = Record<string, unknown>;

export class ParamsError extends Error {}

const MAX_BODY_BYTES = 60 * 1024 * 1024; // multipart uploads may be 50 MB on the real API

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new ParamsError('Request Entity Too Large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export function parseParams(url: URL, contentType: string | undefined, body: Buffer): ApiParams {
  const params: ApiParams = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  if (body.length === 0) return params;
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ParamsError("Bad Request: can't parse JSON object");
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(params, parsed);
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params[key] = value;
  } else if (type.startsWith('multipart/form-data')) {
    Object.assign(params, parseMultipart(contentType ?? '', body));
  }
  return params;
}

function parseMultipart(rawType: string, body: Buffer): ApiParams {
  // Boundaries are case-sensitive, so take it from the raw header, not the lower-cased copy.
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(rawType);
  if (!match) throw new ParamsError('Bad Request: multipart boundary missing');
  const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
  const params: ApiParams = {};
  let cursor = body.indexOf(delimiter);
  while (cursor !== -1) {
    const partStart = cursor + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    // Each part is "\r\n<headers>\r\n\r\n<data>\r\n" between two delimiters.
    const part = body.subarray(partStart + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const data = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const fileName = /filename="([^"]*)"/i.exec(headers)?.[1];
      const partType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
      if (name !== undefined) {
        if (fileName !== undefined) {
          const upload: UploadedFile = { kind: 'upload', bytes: Buffer.from(data), fileName };
          if (partType) upload.contentType = partType;
          params[name] = upload;
        } else {
          params[name] = data.toString('utf8');
        }
      }
    }
    cursor = next;
  }
  return params;
}

export function isUpload(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'upload';
}

export function stringParam(params: ApiParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function intParam(params: ApiParams, name: string): number | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(parsed)) throw new ParamsError(`Bad Request: field "${name}" must be a Number`);
  return Math.trunc(parsed);
}

export function boolParam(params: ApiParams, name: string): boolean {
  const value = params[name];
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** Objects and arrays may come JSON-serialised inside a form field. */
export function jsonParam<T>(params: ApiParams, name: string): T | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    throw new ParamsError(`Bad Request: can't parse ${name} JSON object`);
  }
}
