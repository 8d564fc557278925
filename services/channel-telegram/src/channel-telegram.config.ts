import { busConfigSchema, credentialsKeySchema, env, rateLimitConfigSchema, sentCommandsConfigSchema, trustProxyConfigSchema } from '@switchboard/service-kit';
import { z } from 'zod';

/** Environment variables of the Telegram connector; every one is listed in the README's config table. */
export const channelTelegramConfigSchema = busConfigSchema.extend({
  PORT: env.port(3003),
  DATABASE_URL: z.string().min(1, 'is required (postgres://...)'),
  JWT_SECRET: env.secret(),
  TELEGRAM_API_BASE_URL: z
    .url()
    .default('https://api.telegram.org')
    .transform((url) => url.replace(/\/+$/, '')),
  /** Where Telegram can reach this service; without it every connection uses long polling. */
  PUBLIC_WEBHOOK_BASE_URL: z.preprocess(
    // An empty variable (common in compose files) means "not set", not "invalid URL".
    (value) => (value === '' ? undefined : value),
    z
      .url()
      .optional()
      .transform((url) => url?.replace(/\/+$/, '')),
  ),
  TELEGRAM_POLL_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(50).default(25),
  /** Per-request limit for Bot API calls other than the long poll (which adds the poll timeout). */
  TELEGRAM_API_TIMEOUT_MS: env.ms(10_000),
  /** How often a standby instance tries to take over a polling connection's lock. */
  TELEGRAM_POLLER_LOCK_RETRY_MS: env.ms(5_000),
  /** 32-byte key (base64) that encrypts bot tokens at rest (AES-256-GCM). */
  CREDENTIALS_KEY: credentialsKeySchema,
  /**
   * Webhook requests per minute per (connection, client IP); 0 turns the limit off. Generous on purpose:
   * Telegram keeps at most 40 requests in flight per bot, so only a flood from elsewhere reaches it, and a
   * refused update is answered 429 and retried by Telegram, never lost.
   */
  WEBHOOK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(120_000),
})
  .extend(rateLimitConfigSchema.shape)
  // TRUST_PROXY: whose address the per-IP part of the webhook limit is (1 behind the ingress).
  .extend(trustProxyConfigSchema.shape)
  .extend(sentCommandsConfigSchema.shape);

export type ChannelTelegramConfig = z.output<typeof channelTelegramConfigSchema>;

/** The service's own PostgreSQL schema: no other service reads it. */
export const CHANNEL_TELEGRAM_SCHEMA = 'channel_telegram';
export const CHANNEL_TELEGRAM_SERVICE = 'channel-telegram';
/** Consumer group of the outbound consumer (shared by every instance, so each command is handled once). */
export const OUTBOUND_CONSUMER_GROUP = 'channel-telegram';
/** Consumer group of the typing forwarder on messenger.presence.v1 (shared by every instance: each typing is shown once). */
export const PRESENCE_CONSUMER_GROUP = 'channel-telegram.presence';
