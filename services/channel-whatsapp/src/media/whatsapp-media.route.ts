import { GraphApiError, GraphApiTransport, fetchPlatformMedia, registerChannelMediaRoute, type ChannelMediaAnswer, type Logger } from '@switchboard/service-kit';
import type { Express } from 'express';
import { z } from 'zod';
import type { WhatsAppConnectionRepository } from '../connections/whatsapp-connection.repository';
import type { WhatsAppCredentialsVault } from '../connections/whatsapp-credentials.vault';

/** The Cloud API's largest media (documents, 100 MB); nothing larger can be a WhatsApp file. */
export const WHATSAPP_MEDIA_MAX_BYTES = 100 * 1024 * 1024;

/** GET /{media-id}: the download URL (valid for 5 minutes, needs the access token) and what the file is. */
const mediaInfoSchema = z.looseObject({
  url: z.url(),
  mime_type: z.string().min(1).optional(),
  file_size: z.coerce.number().int().nonnegative().optional(),
});

/**
 * The service-kit channel-media contract for WhatsApp: the platform file id is the Cloud API media id
 * (webhook media ids expire after 7 days), resolved with GET /{media-id} and downloaded from the URL it names
 * with the same access token. The token never leaves this service; the files service only sees bytes.
 */
export function registerWhatsAppMediaRoute(
  app: Express,
  deps: {
    connections: WhatsAppConnectionRepository;
    vault: WhatsAppCredentialsVault;
    graph: { baseUrl: string; version: string; timeoutMs: number };
    downloadTimeoutMs: number;
    jwtSecret: string;
    logger: Logger;
  },
): void {
  registerChannelMediaRoute(app, {
    platform: 'WhatsApp',
    jwtSecret: deps.jwtSecret,
    maxBytes: WHATSAPP_MEDIA_MAX_BYTES,
    logger: deps.logger,
    resolve: async ({ connectionId, platformFileId }): Promise<ChannelMediaAnswer> => {
      const connection = await deps.connections.findById(connectionId);
      if (!connection) return { found: false, failure: 'gone', message: `Connection ${connectionId} does not exist` };
      const credentials = deps.vault.open(connection);
      const transport = new GraphApiTransport({ ...deps.graph, ...credentials });
      let info: z.infer<typeof mediaInfoSchema>;
      try {
        info = await transport.call('GET', encodeURIComponent(platformFileId), {}, undefined, mediaInfoSchema);
      } catch (error) {
        // Code 100 is Meta's answer for an id that does not exist (or no longer: webhook media ids expire after 7 days).
        if (error instanceof GraphApiError && error.code === 100) return { found: false, failure: 'gone', message: `WhatsApp does not know media ${platformFileId} (${error.graphMessage})` };
        throw error;
      }
      if (info.file_size !== undefined && info.file_size > WHATSAPP_MEDIA_MAX_BYTES) {
        return { found: false, failure: 'tooLarge', message: `WhatsApp media of ${info.file_size} bytes is over ${WHATSAPP_MEDIA_MAX_BYTES} bytes` };
      }
      const download = await fetchPlatformMedia(info.url, {
        headers: { authorization: `Bearer ${credentials.accessToken}` },
        timeoutMs: deps.downloadTimeoutMs,
        platform: 'WhatsApp',
      });
      // The metadata's type is the one WhatsApp recorded at upload; the download host may answer a generic one.
      return download.found ? { ...download, contentType: info.mime_type ?? download.contentType } : download;
    },
  });
}
