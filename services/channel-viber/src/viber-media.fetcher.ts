import { createHash } from 'node:crypto';
import type { FetchedMedia } from './viber-media';

/**
 * Downloads a callback's media at once (Viber's links expire). Never throws: a failed or oversized
 * download is an outcome the message carries, so the customer's text is not lost with its file.
 */
export class ViberMediaFetcher {
  constructor(private readonly options: { timeoutMs: number; maxBytes: number }) {}

  async fetch(sourceUrl: string): Promise<FetchedMedia> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const response = await fetch(sourceUrl, { signal });
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        return { state: 'failed', sourceUrl, error: `HTTP ${response.status} while downloading the media` };
      }
      const mimeType = response.headers.get('content-type')?.split(';')[0]?.trim() || undefined;
      const declared = Number(response.headers.get('content-length') ?? NaN);
      if (Number.isFinite(declared) && declared > this.options.maxBytes) {
        await response.body.cancel();
        return { state: 'too_large', sourceUrl, sizeBytes: declared, mimeType, error: `media of ${declared} bytes exceeds VIBER_MEDIA_MAX_BYTES` };
      }
      // Read with a running count: a missing or wrong Content-Length must not let a huge body into memory.
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        if (size > this.options.maxBytes) {
          return { state: 'too_large', sourceUrl, sizeBytes: undefined, mimeType, error: `media exceeds VIBER_MEDIA_MAX_BYTES (${this.options.maxBytes} bytes)` };
        }
        chunks.push(Buffer.from(chunk));
      }
      const content = Buffer.concat(chunks);
      return { state: 'stored', sourceUrl, content, sizeBytes: size, mimeType, sha256: createHash('sha256').update(content).digest('hex') };
    } catch (error) {
      const reason = signal.aborted ? 'timed out' : (((error as Error).cause as Error | undefined)?.message ?? (error as Error).message);
      return { state: 'failed', sourceUrl, error: `download failed: ${reason}` };
    }
  }
}
