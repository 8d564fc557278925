import { busConfigSchema, env } from '@switchboard/service-kit';
import { z } from 'zod';

const MIB = 1024 * 1024;

export const filesConfigSchema = z
  .object({
    PORT: env.port(3012),
    DATABASE_URL: z.string().min(1, 'DATABASE_URL is required (postgres://...)'),
    JWT_SECRET: env.secret(),
    DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(5),
    /** The chat service's base URL: every upload and download is checked there (it owns chat visibility). */
    CHAT_SERVICE_URL: z.url('CHAT_SERVICE_URL must be the chat service base URL (http://host:port)'),
    /**
     * The files service's URL as clients (and platforms that fetch media by URL, e.g. Viber) reach it; upload
     * and download links are built on it. Defaults to the address the service listens on (one machine).
     */
    FILES_PUBLIC_URL: z.url('FILES_PUBLIC_URL must be a URL (https://files.example.com)').optional(),
    FILES_STORAGE: z.enum(['disk', 's3']).default('disk'),
    /** Where files are kept with FILES_STORAGE=disk. */
    FILES_DIR: z.string().min(1).default('.switchboard/files'),
    FILES_MAX_BYTES: z.coerce.number().int().positive().max(2_000 * MIB).default(50 * MIB),
    /** How long an upload link from createFileUpload may be used. */
    FILES_UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(3_600).default(600),
    /** How long a download link (File.downloadUrl) works: short, since it is a bearer credential. */
    FILES_DOWNLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
    FILES_S3_ENDPOINT: z.url().optional(),
    FILES_S3_BUCKET: z.string().min(3).max(63).optional(),
    FILES_S3_REGION: z.string().min(1).default('us-east-1'),
    FILES_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    FILES_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    FILES_S3_PREFIX: z.string().regex(/^([A-Za-z0-9._-]+\/)*$/, 'FILES_S3_PREFIX must be empty or end with / (e.g. switchboard/)').default(''),
    FILES_S3_TIMEOUT_MS: env.ms(30_000),
    /**
     * Base URLs of the channel connectors, for media received from customers (GET /internal/media/...).
     * A channel without one keeps its attachments as metadata only.
     */
    CHANNEL_TELEGRAM_URL: z.url().optional(),
    CHANNEL_VIBER_URL: z.url().optional(),
    CHANNEL_WHATSAPP_URL: z.url().optional(),
    /** channel-meta: Messenger, Instagram Direct and both kinds of comments. */
    CHANNEL_META_URL: z.url().optional(),
    /** channel-telegram-user: customers of personal Telegram accounts (MTProto). */
    CHANNEL_TELEGRAM_USER_URL: z.url().optional(),
    /** channel-bridge: attachment URLs partners sent (fetched through the bridge, which knows which it was sent). */
    CHANNEL_BRIDGE_URL: z.url().optional(),
    /** Timeout of one media fetch from a connector. */
    FILES_MEDIA_FETCH_TIMEOUT_MS: env.ms(60_000),
    /** Browser origins allowed to use upload and download links (the console on another origin). */
    CORS_ORIGINS: env.optionalList(),
  })
  .extend(busConfigSchema.shape)
  .superRefine((config, ctx) => {
    if (config.FILES_STORAGE !== 's3') return;
    for (const name of ['FILES_S3_ENDPOINT', 'FILES_S3_BUCKET', 'FILES_S3_ACCESS_KEY_ID', 'FILES_S3_SECRET_ACCESS_KEY'] as const) {
      if (!config[name]) ctx.addIssue({ code: 'custom', path: [name], message: `${name} is required when FILES_STORAGE=s3` });
    }
  });

export type FilesConfig = z.output<typeof filesConfigSchema>;

export const FILES_SCHEMA = 'files';
/** Consumer group names are part of operations (lag dashboards, DLQ replays): keep them stable. */
export const FILES_CONSUMER_GROUPS = { chatEvents: 'files.chat-events' } as const;
