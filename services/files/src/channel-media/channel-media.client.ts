import { CHANNEL_MEDIA_FAILURES, channelMediaPath, type ServiceTokenSource } from '@switchboard/service-kit';
import { FileRefusedError } from '../content/file-classification';
import { readLimited } from '../content/read-limited';

export type MediaFetch =
  | { ok: true; bytes: Buffer; mimeType: string | undefined; fileName: string | undefined }
  /** Will never succeed (gone, too large): recorded on the file instead of retried. */
  | { ok: false; failure: string };

/**
 * Fetches a customer's media from its connector (service-kit CHANNEL_MEDIA_PATH). Errors that may pass
 * (connector down, 5xx, timeouts) are thrown, so the consumer retries the event and finally parks it on
 * the dead-letter topic; answers that will not change come back as `ok: false`.
 */
export class ChannelMediaClient {
  constructor(
    private readonly options: { connectorUrls: Partial<Record<string, string>>; tokens: ServiceTokenSource; maxBytes: number; timeoutMs: number },
  ) {}

  hasConnector(channel: string): boolean {
    return this.options.connectorUrls[channel] !== undefined;
  }

  async fetch(params: { channel: string; connectionId: string; platformFileId: string }): Promise<MediaFetch> {
    const base = this.options.connectorUrls[params.channel];
    if (!base) return { ok: false, failure: `No connector URL is configured for ${params.channel} media` };
    const url = new URL(channelMediaPath(params), base);
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${await this.options.tokens.current()}` },
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (response.status === 404 || response.status === 413) {
      const body = (await response.json().catch(() => ({}))) as { error?: { reason?: string; message?: string } };
      const reason = body.error?.reason ?? (response.status === 404 ? CHANNEL_MEDIA_FAILURES.gone : CHANNEL_MEDIA_FAILURES.tooLarge);
      return { ok: false, failure: `${reason}: ${body.error?.message ?? 'the platform does not hand out this file'}` };
    }
    if (!response.ok || !response.body) throw new Error(`${params.channel} connector answered ${response.status} for media ${params.platformFileId}: ${(await response.text()).slice(0, 300)}`);
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > this.options.maxBytes) {
      await response.body.cancel();
      return { ok: false, failure: `${CHANNEL_MEDIA_FAILURES.tooLarge}: ${declared} bytes is over FILES_MAX_BYTES` };
    }
    try {
      const bytes = await readLimited(response.body as unknown as AsyncIterable<Uint8Array>, this.options.maxBytes, 'The file');
      const fileName = response.headers.get('x-file-name');
      return {
        ok: true,
        bytes,
        mimeType: response.headers.get('content-type')?.split(';')[0]?.trim() || undefined,
        fileName: fileName ? decodeURIComponent(fileName) : undefined,
      };
    } catch (error) {
      if (error instanceof FileRefusedError) return { ok: false, failure: `${CHANNEL_MEDIA_FAILURES.tooLarge}: ${error.message}` };
      throw error;
    }
  }
}
