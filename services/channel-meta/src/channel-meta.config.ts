import { busConfigSchema, credentialsKeySchema, env, sentCommandsConfigSchema, webhookRateLimitConfigSchema } from '@switchboard/service-kit';
import { z } from 'zod';

/** Environment variables of the Messenger/Instagram/comments connector; every one is listed in the README's config table. */
export const channelMetaConfigSchema = busConfigSchema.extend({
  PORT: env.port(3009),
  DATABASE_URL: z.string().min(1, 'is required (postgres://...)'),
  JWT_SECRET: env.secret(),
  /** Graph API root without the version (tests point it at the double). */
  META_GRAPH_API_BASE_URL: z
    .url()
    .default('https://graph.facebook.com')
    .transform((url) => url.replace(/\/+$/, '')),
  /** Pinned Graph API version (CHANNELS.md 8: pin vNN.0 in paths). */
  META_GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v21.0')
    .default('v21.0'),
  META_API_TIMEOUT_MS: env.ms(10_000),
  /** How often each Page's webhook subscription is checked (Meta unsubscribes apps whose webhook failed for ~1 hour); 0 disables. */
  META_SUBSCRIPTION_CHECK_INTERVAL_MS: env.ms(600_000),
  /** How long an attachment's CDN URL stays fetchable through the media endpoint (Meta's URLs expire within days). */
  META_MEDIA_LINK_RETENTION_HOURS: env.hours(720),
  /** 32-byte key (base64) that encrypts Page tokens and app secrets at rest (AES-256-GCM). */
  CREDENTIALS_KEY: credentialsKeySchema,
})
  // WEBHOOK_RATE_LIMIT_PER_MINUTE (default 120,000, 0 = off) and REDIS_URL, read as channel-telegram reads
  // them. Meta retries a refused webhook, but unsubscribes an app whose webhook fails for about an hour:
  // keep the limit far above real traffic, it is there to stop floods from elsewhere.
  .extend(webhookRateLimitConfigSchema.shape)
  .extend(sentCommandsConfigSchema.shape);

export type ChannelMetaConfig = z.output<typeof channelMetaConfigSchema>;

/** The service's own PostgreSQL schema: no other service reads it. */
export const CHANNEL_META_SCHEMA = 'channel_meta';
export const CHANNEL_META_SERVICE = 'channel-meta';
/** Consumer group of the outbound consumer (shared by every instance, so each command is handled once). */
export const OUTBOUND_CONSUMER_GROUP = 'channel-meta';
/** Consumer group of the typing forwarder on messenger.presence.v1 (shared by every instance: each typing is shown once). */
export const PRESENCE_CONSUMER_GROUP = 'channel-meta.presence';
/** The four sources this connector serves (channel kinds in libs/contracts). */
export const META_CHANNELS = ['messenger', 'instagram', 'facebook-comments', 'instagram-comments'] as const;
export type MetaChannel = (typeof META_CHANNELS)[number];
