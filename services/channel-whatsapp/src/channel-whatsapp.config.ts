import { busConfigSchema, credentialsKeySchema, env, sentCommandsConfigSchema, webhookRateLimitConfigSchema } from '@switchboard/service-kit';
import { z } from 'zod';

/** Environment variables of the WhatsApp Cloud API connector; every one is listed in the README's config table. */
export const channelWhatsAppConfigSchema = busConfigSchema.extend({
  PORT: env.port(3007),
  DATABASE_URL: z.string().min(1, 'is required (postgres://...)'),
  JWT_SECRET: env.secret(),
  /** Graph API root without the version (tests point it at the double). */
  WHATSAPP_GRAPH_API_BASE_URL: z
    .url()
    .default('https://graph.facebook.com')
    .transform((url) => url.replace(/\/+$/, '')),
  /** Pinned Graph API version (CHANNELS.md 8: pin vNN.0 in paths). */
  WHATSAPP_GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v21.0')
    .default('v21.0'),
  WHATSAPP_API_TIMEOUT_MS: env.ms(10_000),
  /** 32-byte key (base64) that encrypts access tokens and app secrets at rest (AES-256-GCM). */
  CREDENTIALS_KEY: credentialsKeySchema,
})
  // WEBHOOK_RATE_LIMIT_PER_MINUTE (default 120,000, 0 = off) and REDIS_URL, read as channel-telegram reads
  // them. Meta retries a refused webhook (for up to 7 days), so a 429 delays it, never loses it.
  .extend(webhookRateLimitConfigSchema.shape)
  .extend(sentCommandsConfigSchema.shape);

export type ChannelWhatsAppConfig = z.output<typeof channelWhatsAppConfigSchema>;

/** The service's own PostgreSQL schema: no other service reads it. */
export const CHANNEL_WHATSAPP_SCHEMA = 'channel_whatsapp';
export const CHANNEL_WHATSAPP_SERVICE = 'channel-whatsapp';
/** Consumer group of the outbound consumer (shared by every instance, so each command is handled once). */
export const OUTBOUND_CONSUMER_GROUP = 'channel-whatsapp';
