import { busConfigSchema, credentialsKeySchema, env, sentCommandsConfigSchema, webhookRateLimitConfigSchema } from '@switchboard/service-kit';
import { z } from 'zod';

/** Environment variables of the Viber connector; every one is listed in the README's config table. */
export const channelViberConfigSchema = busConfigSchema.extend({
  PORT: env.port(3004),
  DATABASE_URL: z.string().min(1, 'is required (postgres://...)'),
  JWT_SECRET: env.secret(),
  VIBER_API_BASE_URL: z
    .url()
    .default('https://chatapi.viber.com/pa')
    .transform((url) => url.replace(/\/+$/, '')),
  /** Viber only calls HTTPS webhooks it can reach, so connecting a bot needs this URL (unlike Telegram, no polling exists). */
  PUBLIC_WEBHOOK_BASE_URL: z.preprocess(
    // An empty variable (common in compose files) means "not set", not "invalid URL".
    (value) => (value === '' ? undefined : value),
    z
      .url()
      .optional()
      .transform((url) => url?.replace(/\/+$/, '')),
  ),
  VIBER_API_TIMEOUT_MS: env.ms(10_000),
  /** Media URLs in callbacks expire, so they are fetched while the webhook is answered; this bounds one download. */
  VIBER_MEDIA_TIMEOUT_MS: env.ms(20_000),
  /** Larger media are not kept (metadata only); Viber's own file limit is 50 MB. */
  VIBER_MEDIA_MAX_BYTES: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.coerce.number().int().positive().default(50 * 1024 * 1024),
  ),
  /** Attempts of one send_message when Viber answers "too many requests" or does not answer; then the send fails. */
  VIBER_SEND_ATTEMPTS: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.coerce.number().int().min(1).max(10).default(4),
  ),
  /** First backoff between send attempts; doubles each time. */
  VIBER_SEND_BACKOFF_MS: env.ms(1_000),
  /** How long a callback is remembered to drop Viber's retries of it (Viber retries for about an hour). */
  VIBER_DEDUPE_RETENTION_HOURS: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.coerce.number().int().min(2, 'must be at least 2 (Viber retries for about an hour)').default(168),
  ),
  /** How long customers' files are kept here after download; the files service copies them within seconds. */
  VIBER_MEDIA_RETENTION_HOURS: env.hours(168),
  /** 32-byte key (base64) that encrypts bot auth tokens at rest (AES-256-GCM). */
  CREDENTIALS_KEY: credentialsKeySchema,
})
  // WEBHOOK_RATE_LIMIT_PER_MINUTE (per connection and client IP, default 120,000, 0 = off) and REDIS_URL,
  // read as channel-telegram reads them. Viber retries a refused callback, so a 429 delays it, never loses it.
  .extend(webhookRateLimitConfigSchema.shape)
  .extend(sentCommandsConfigSchema.shape);

export type ChannelViberConfig = z.output<typeof channelViberConfigSchema>;

/** The service's own PostgreSQL schema: no other service reads it. */
export const CHANNEL_VIBER_SCHEMA = 'channel_viber';
export const CHANNEL_VIBER_SERVICE = 'channel-viber';
/** Consumer group of the outbound consumer (shared by every instance, so each command is handled once). */
export const VIBER_OUTBOUND_CONSUMER_GROUP = 'channel-viber';
