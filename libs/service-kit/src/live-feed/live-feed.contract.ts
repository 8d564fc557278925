import type { Envelope } from '@switchboard/contracts';
import { z } from 'zod';
import { ROLES, type Role } from '../auth/access-token';

/**
 * The live-feed protocol a service serves at POST /internal/feed for the gateway's LiveHub (decision 0012):
 * a long-poll read after a position, for a list of subscribers, answering per event which of them may see
 * it. The chat service serves its own implementation; other services use LiveFeedStore + registerLiveFeedRoute.
 */
export const LIVE_FEED_PATH = '/internal/feed';

export interface FeedSubscriber {
  employeeId: string;
  role: Role;
}

export interface FeedEntry {
  position: string;
  envelope: Envelope;
  /** The subscribers (of those asked about) who may see this event. */
  audience: string[];
  /** W3C traceparent of the write that produced the event, when it was traced (decision 0037). */
  traceparent?: string;
}

export type FeedPage = { tooOld: false; entries: FeedEntry[]; head: string } | { tooOld: true; prunedThrough: string };

export const feedRequestSchema = z.object({
  /** Omitted: answer at once with the current head and no events (where a new live reader starts). */
  after: z
    .string()
    .regex(/^\d{1,19}$/, 'after must be a feed position')
    .optional(),
  limit: z.number().int().min(1).max(1000).default(500),
  /** Long-poll: wait up to this long for events when there are none yet. */
  waitMs: z.number().int().min(0).max(30_000).default(0),
  subscribers: z.array(z.object({ employeeId: z.uuid(), role: z.enum(ROLES) })).max(100_000),
});
