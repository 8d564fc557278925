import { TOPICS } from '@switchboard/contracts';
import type { EventBus } from '@switchboard/messaging';
import { migrateSchema } from '@switchboard/persistence';
import {
  ChatVisibilityClient,
  ServiceTokenSource,
  createEventBus,
  createMetricsRegistry,
  mountSubgraph,
  observeBus,
  registerOperationalRoutes,
  startNestService,
  type Logger,
  type RunningService,
} from '@switchboard/service-kit';
import { Module } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ChannelMediaClient } from './channel-media/channel-media.client';
import { ChatMediaConsumer } from './channel-media/chat-media.consumer';
import { FileRepository } from './files/file.repository';
import { FileStoreService } from './files/file-store.service';
import { FILES_CONSUMER_GROUPS, FILES_SCHEMA, type FilesConfig } from './files.config';
import { createFilesDataSource } from './files-data-source';
import { filesResolvers } from './graphql/files.resolvers';
import { registerCorsForLinks } from './http/cors';
import { registerDownloadRoute, registerThumbnailRoute } from './http/download.route';
import { PublicBaseUrl } from './http/file-links';
import { registerUploadRoute } from './http/upload.route';
import { registerInternalFileRoutes } from './http/internal-files.route';
import { DiskFileStorage } from './storage/disk-file-storage';
import type { FileStorage } from './storage/file-storage';
import { S3FileStorage } from './storage/s3-file-storage';
import { Thumbnailer } from './thumbnails/thumbnailer';
import { LinkTokens } from './tokens/link-tokens';

export const FILES_TYPE_DEFS = readFileSync(join(__dirname, 'graphql', 'files.graphql'), 'utf8');

/** The files service's Nest module: it owns HTTP; the consumer wiring below owns its lifecycle. */
@Module({})
class FilesHttpModule {}

export interface RunningFilesService extends RunningService {
  storage: FileStorage;
}

export function createFileStorage(config: FilesConfig): FileStorage {
  if (config.FILES_STORAGE === 'disk') return new DiskFileStorage(resolve(config.FILES_DIR));
  return new S3FileStorage({
    endpoint: config.FILES_S3_ENDPOINT!,
    bucket: config.FILES_S3_BUCKET!,
    prefix: config.FILES_S3_PREFIX,
    credentials: { accessKeyId: config.FILES_S3_ACCESS_KEY_ID!, secretAccessKey: config.FILES_S3_SECRET_ACCESS_KEY!, region: config.FILES_S3_REGION },
    timeoutMs: config.FILES_S3_TIMEOUT_MS,
  });
}

/**
 * Starts the files service: migrate, serve the files subgraph (Chat.files, createFileUpload) and the
 * link endpoints (upload, download), and consume chat events to fetch customers' media at receipt.
 * stop() stops HTTP and the consumer before it closes the database.
 */
export async function startFilesService(options: { config: FilesConfig; logger: Logger; bus?: EventBus }): Promise<RunningFilesService> {
  const { config, logger } = options;
  const dataSource = createFilesDataSource({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  await dataSource.initialize();
  const applied = await migrateSchema(dataSource, FILES_SCHEMA);
  if (applied.length > 0) logger.info({ applied }, 'files migrations applied');

  const ownsBus = !options.bus;
  const registry = createMetricsRegistry('files');
  // Counts this service's own bus traffic (consumed, lag, dead letters) on its /metrics (decision 0028). The
  // files service publishes no events and has no outbox, so it has no <prefix>_outbox_backlog gauge.
  const bus = observeBus({ bus: options.bus ?? createEventBus({ config, clientId: 'files', databaseUrl: config.DATABASE_URL, logger }), registry, owned: ownsBus });
  await bus.transport.connect();

  const storage = createFileStorage(config);
  const files = new FileRepository(dataSource);
  const store = new FileStoreService(files, storage, config.FILES_MAX_BYTES, new Thumbnailer(logger.child({ component: 'thumbnails' })));
  const tokens = new LinkTokens(config.JWT_SECRET);
  const publicUrl = new PublicBaseUrl(config.FILES_PUBLIC_URL);
  const chats = new ChatVisibilityClient({ chatServiceUrl: config.CHAT_SERVICE_URL, jwtSecret: config.JWT_SECRET, service: 'files' });
  const media = new ChannelMediaClient({
    connectorUrls: {
      telegram: config.CHANNEL_TELEGRAM_URL,
      viber: config.CHANNEL_VIBER_URL,
      whatsapp: config.CHANNEL_WHATSAPP_URL,
      messenger: config.CHANNEL_META_URL,
      instagram: config.CHANNEL_META_URL,
      'facebook-comments': config.CHANNEL_META_URL,
      'instagram-comments': config.CHANNEL_META_URL,
      'telegram-user': config.CHANNEL_TELEGRAM_USER_URL,
      bridge: config.CHANNEL_BRIDGE_URL,
    },
    tokens: new ServiceTokenSource({ jwtSecret: config.JWT_SECRET, service: 'files' }),
    maxBytes: config.FILES_MAX_BYTES,
    timeoutMs: config.FILES_MEDIA_FETCH_TIMEOUT_MS,
  });
  const consumer = new ChatMediaConsumer({ files, store, storage, media, logger: logger.child({ component: 'chat-media' }) });

  const service = await startNestService({
    name: 'files',
    module: FilesHttpModule,
    port: config.PORT,
    logger,
    configure: async (app) => {
      registerOperationalRoutes(app, {
        service: 'files',
        registry,
        checks: { database: async () => void (await dataSource.query('SELECT 1')), bus: () => bus.transport.ping() },
      });
      registerCorsForLinks(app, config.CORS_ORIGINS);
      registerUploadRoute(app, { store, tokens, chats, publicUrl, downloadTtlSeconds: config.FILES_DOWNLOAD_URL_TTL_SECONDS, logger });
      registerDownloadRoute(app, { files, storage, tokens, logger });
      registerThumbnailRoute(app, { files, storage, tokens, logger });
      registerInternalFileRoutes(app, { files, storage, tokens, publicUrl, jwtSecret: config.JWT_SECRET, logger });
      await mountSubgraph({
        app,
        typeDefs: FILES_TYPE_DEFS,
        resolvers: filesResolvers({
          files,
          chats,
          tokens,
          publicUrl,
          maxBytes: config.FILES_MAX_BYTES,
          uploadTtlSeconds: config.FILES_UPLOAD_URL_TTL_SECONDS,
          downloadTtlSeconds: config.FILES_DOWNLOAD_URL_TTL_SECONDS,
        }),
        jwtSecret: config.JWT_SECRET,
        logger,
      });
    },
  });
  publicUrl.setDefault(service.url);

  const consumers = [
    await bus.subscribe({
      group: FILES_CONSUMER_GROUPS.chatEvents,
      // Fetching customers' media follows the message; nobody waits on it at once (decision 0040).
      background: true,
      topics: [TOPICS.chatEvents],
      handler: (records, context) => consumer.handle(records.map((r) => r.envelope), context),
    }),
  ];

  let stopping: Promise<void> | undefined;
  return {
    ...service,
    storage,
    stop: () =>
      (stopping ??= (async () => {
        await service.stop();
        await Promise.all(consumers.map((c) => c.stop()));
        if (ownsBus) await bus.close();
        await dataSource.destroy();
      })()),
  };
}
