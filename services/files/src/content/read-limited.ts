import { FILE_REFUSALS, FileRefusedError } from './file-classification';

/**
 * Collects a body up to maxBytes and refuses it the moment it grows past the limit, so an over-size
 * upload (or a connector handing over more than it announced) costs at most maxBytes of memory.
 */
export async function readLimited(body: AsyncIterable<Uint8Array | string>, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += buffer.length;
    if (total > maxBytes) throw tooLarge(what, maxBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, total);
}

export function tooLarge(what: string, maxBytes: number): FileRefusedError {
  return new FileRefusedError(FILE_REFUSALS.tooLarge, `${what} is larger than the limit of ${formatBytes(maxBytes)}`);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
