import { busConfigSchema, credentialsKeySchema, env } from '@switchboard/service-kit';
import { z } from 'zod';

const blankIsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const int = (fallback: number, min: number, max: number) => z.preprocess(blankIsUnset, z.coerce.number().int().min(min).max(max).default(fallback));

/** Environment variables of the Telegram user-account connector; every one is listed in the README's config table. */
export const channelTelegramUserConfigSchema = busConfigSchema
  .extend({
    PORT: env.port(3006),
    DATABASE_URL: z.string().min(1, 'is required (postgres://...)'),
    JWT_SECRET: env.secret(),
    /** 32-byte key (base64) that encrypts MTProto sessions (auth keys) at rest (AES-256-GCM). */
    CREDENTIALS_KEY: credentialsKeySchema,
    /** The deployment's own app credentials from my.telegram.org (https://core.telegram.org/api/obtaining_api_id). */
    TELEGRAM_API_ID: z.preprocess(blankIsUnset, z.coerce.number().int().positive().optional()),
    TELEGRAM_API_HASH: z.preprocess(blankIsUnset, z.string().regex(/^[0-9a-f]{32}$/, 'must be the 32 hex characters my.telegram.org shows').optional()),
    /** How long an instance owns an account without renewing; a crashed owner's accounts move after this. */
    TELEGRAM_USER_LEASE_TTL_MS: int(30_000, 3_000, 600_000),
    /** Flood waits up to this many seconds are waited out and the send retried; longer ones fail the send. */
    TELEGRAM_USER_FLOOD_WAIT_MAX_SECONDS: int(60, 0, 3_600),
    /** Attempts of one send (flood waits and lost connections) before it is reported failed. */
    TELEGRAM_USER_SEND_ATTEMPTS: int(3, 1, 10),
    /** At most this many missed messages per chat are fetched after a reconnect (newest kept if more). */
    TELEGRAM_USER_BACKFILL_LIMIT: int(500, 1, 5_000),
    /** Dialogs looked at for missed messages after a reconnect (most recent first). */
    TELEGRAM_USER_BACKFILL_DIALOGS: int(100, 1, 500),
    /** How long an unfinished login (code or password not yet given) is kept. */
    TELEGRAM_USER_LOGIN_TTL_MINUTES: int(15, 1, 120),
    /** Customers' files larger than this are not downloaded for the files service (held in memory on the way). */
    TELEGRAM_USER_MEDIA_MAX_BYTES: int(50 * 1024 * 1024, 1, 2_000 * 1024 * 1024),
  })
  .refine((c) => (c.TELEGRAM_API_ID === undefined) === (c.TELEGRAM_API_HASH === undefined), {
    message: 'TELEGRAM_API_ID and TELEGRAM_API_HASH are set together or not at all',
    path: ['TELEGRAM_API_HASH'],
  });

export type ChannelTelegramUserConfig = z.output<typeof channelTelegramUserConfigSchema>;

/** The service's own PostgreSQL schema: no other service reads it. */
export const CHANNEL_TELEGRAM_USER_SCHEMA = 'channel_telegram_user';
export const CHANNEL_TELEGRAM_USER_SERVICE = 'channel-telegram-user';
/** Consumer group of the outbound consumer (every instance, so each command is queued once). */
export const TELEGRAM_USER_OUTBOUND_CONSUMER_GROUP = 'channel-telegram-user';
