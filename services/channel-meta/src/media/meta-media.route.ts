import { fetchPlatformMedia, registerChannelMediaRoute, type ChannelMediaAnswer, type InboundMediaLinks, type Logger } from '@switchboard/service-kit';
import type { Express } from 'express';

/** Messenger's and Instagram's largest attachment (25 MB); the connector hands out nothing larger. */
export const META_MEDIA_MAX_BYTES = 25 * 1024 * 1024;
/** Meta's CDN URLs run to several hundred characters. */
const MAX_URL_LENGTH = 4096;

/**
 * The service-kit channel-media contract for Messenger, Instagram and comments: the platform file id is the
 * attachment's CDN URL from the webhook (pre-signed, no token needed, expires after a while). Only URLs a
 * webhook delivered for that connection are fetched; an expired one answers 404 MEDIA_GONE.
 */
export function registerMetaMediaRoute(app: Express, deps: { links: InboundMediaLinks; downloadTimeoutMs: number; jwtSecret: string; logger: Logger }): void {
  registerChannelMediaRoute(app, {
    platform: 'Meta',
    jwtSecret: deps.jwtSecret,
    maxBytes: META_MEDIA_MAX_BYTES,
    maxFileIdLength: MAX_URL_LENGTH,
    logger: deps.logger,
    resolve: async ({ connectionId, platformFileId }): Promise<ChannelMediaAnswer> => {
      if (!(await deps.links.wasReceived(connectionId, platformFileId))) {
        return { found: false, failure: 'gone', message: 'No webhook of this connection delivered that media URL' };
      }
      return fetchPlatformMedia(platformFileId, { timeoutMs: deps.downloadTimeoutMs, platform: 'Meta' });
    },
  });
}
