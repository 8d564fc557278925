import { busConfigSchema, credentialsKeySchema, env, webhookRateLimitConfigSchema } from '@switchboard/service-kit';
import { z } from 'zod';

/** Environment variables of the bridge channel; every one is listed in the README's config table. */
export const channelBridgeConfigSchema = busConfigSchema.extend({
  PORT: env.port(3008),
  DATABASE_URL: z.string().min(1, 'is required (postgres://...)'),
  JWT_SECRET: env.secret(),
  /** 32-byte key (base64) that encrypts bridge secrets at rest (AES-256-GCM). */
  CREDENTIALS_KEY: credentialsKeySchema,
  /** How far a signed request's timestamp may be from our clock; older requests are replays. */
  BRIDGE_SIGNATURE_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  /** How long an Idempotency-Key is remembered (a retry after that is a new request). */
  BRIDGE_IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(72),
  /** How long a partner's attachment URL stays fetchable through the media endpoint. */
  BRIDGE_MEDIA_LINK_RETENTION_HOURS: env.hours(720),
  /** Attempts per outbound message before it goes to the dead-letter list. */
  BRIDGE_DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** First retry delay; it doubles per attempt (with jitter) up to BRIDGE_DELIVERY_MAX_DELAY_MS. */
  BRIDGE_DELIVERY_BASE_DELAY_MS: env.ms(2_000),
  BRIDGE_DELIVERY_MAX_DELAY_MS: env.ms(10 * 60_000),
  /** A partner that has not answered within this is treated as down (the attempt is retried). */
  BRIDGE_DELIVERY_TIMEOUT_MS: env.ms(10_000),
  /** How often the delivery worker looks for due retries written by this or another instance. */
  BRIDGE_DELIVERY_POLL_MS: env.ms(1_000),
})
  // WEBHOOK_RATE_LIMIT_PER_MINUTE (partner requests per connection and client IP, default 120,000, 0 = off),
  // REDIS_URL and TRUST_PROXY, read as every connector reads them (decision 0027). A partner retries a 429
  // with the same Idempotency-Key, so a refused message is delayed, never lost.
  .extend(webhookRateLimitConfigSchema.shape);

export type ChannelBridgeConfig = z.output<typeof channelBridgeConfigSchema>;

/** The service's own PostgreSQL schema: no other service reads it. */
export const CHANNEL_BRIDGE_SCHEMA = 'channel_bridge';
export const CHANNEL_BRIDGE_SERVICE = 'channel-bridge';
/** Consumer group of the outbound consumer (shared by every instance, so each command is taken once). */
export const OUTBOUND_CONSUMER_GROUP = 'channel-bridge';
