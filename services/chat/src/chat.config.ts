import { busConfigSchema, env } from '@switchboard/service-kit';
import { z } from 'zod';
import { DEFAULT_RARE_WORD_CHATS } from './chats/chat-query.service';

export const chatConfigSchema = z
  .object({
    PORT: env.port(3002),
    DATABASE_URL: z.string().min(1, 'DATABASE_URL is required (postgres://...)'),
    JWT_SECRET: env.secret(),
    DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
    /**
     * Inbound transactions that may run at once (each carrying whatever partitions' batches arrived while the
     * others ran). One serialises ingest on a single transaction's round trips; keep it below the pool size.
     */
    INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(3),
    /** How long live-feed events stay resumable; a client away longer refetches instead. */
    FEED_RETENTION_HOURS: z.coerce.number().positive().default(24),
    /**
     * Keyword search: keywords the planner expects in at least this many chats are found by walking the visible
     * chats newest first, in under a tenth of it from the trigram index, in between by a bounded walk first
     * (decisions 0049, 0054). 0: always walk.
     */
    SEARCH_RARE_WORD_CHATS: z.coerce.number().int().min(0).default(DEFAULT_RARE_WORD_CHATS),
    /** The files service's base URL (internal): sendMessage reads operators' files there and checks them against the platform's limits. Without it files cannot be attached. */
    FILES_SERVICE_URL: z.url('FILES_SERVICE_URL must be the files service base URL (http://host:port)').optional(),
  })
  .extend(busConfigSchema.shape)
  .refine((c) => c.INGEST_CONCURRENCY < c.DATABASE_POOL_SIZE, {
    message: 'INGEST_CONCURRENCY must be below DATABASE_POOL_SIZE (queries, the feed and the outbox relay need connections too)',
    path: ['INGEST_CONCURRENCY'],
  });

export type ChatConfig = z.output<typeof chatConfigSchema>;

export const CHAT_SCHEMA = 'chat';
/** Consumer group names are part of operations (lag dashboards, DLQ replays): keep them stable. */
export const CHAT_CONSUMER_GROUPS = { inbound: 'chat.inbound', delivery: 'chat.delivery', identity: 'chat.identity', presence: 'chat.presence' } as const;
