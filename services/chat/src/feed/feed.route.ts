import { ROLES, bearerToken, verifyServiceToken, type Logger } from '@switchboard/service-kit';
import express, { type Express, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ChatFeedReader } from './chat-feed.reader';
import type { FeedSignal } from './feed-signal';
import type { TypingStore } from '../typing/typing.store';

/** While a long-poll waits, the feed is re-read this often (events committed by other chat instances). */
const POLL_TICK_MS = 100;

const feedRequestSchema = z.object({
  /** Omitted: answer at once with the current head and no events (where a new live reader starts). */
  after: z
    .string()
    .regex(/^\d{1,19}$/, 'after must be a feed position')
    .optional(),
  limit: z.number().int().min(1).max(1000).default(500),
  /** Long-poll: wait up to this long for events when there are none yet. */
  waitMs: z.number().int().min(0).max(30_000).default(0),
  subscribers: z.array(z.object({ employeeId: z.uuid(), role: z.enum(ROLES) })).max(100_000),
  /**
   * The ephemeral channel (typing, decision 0042): given, the answer carries the typing reports after this
   * cursor and a long-poll also ends on one. A catch-up read omits it, so nothing ephemeral is ever replayed.
   */
  ephemeralAfter: z
    .string()
    .regex(/^\d{1,19}$/, 'ephemeralAfter must be a cursor of the ephemeral channel')
    .optional(),
});

/**
 * POST /internal/feed: the live feed for the gateway (service token only). The chat service decides who
 * may see each event; the gateway only delivers. Not part of the public API.
 */
export function registerFeedRoute(app: Express, deps: { reader: ChatFeedReader; typing: TypingStore; signal: FeedSignal; jwtSecret: string; logger: Logger }): { stop(): Promise<void> } {
  let stopping = false;
  const inFlight = new Set<Promise<void>>();
  app.post('/internal/feed', express.json({ limit: '8mb' }), (req: Request, res: Response) => {
    if (stopping) {
      res.status(503).json({ error: 'the chat service is shutting down' });
      return;
    }
    const handled = (async () => {
      try {
        await verifyServiceToken(bearerToken(req.headers.authorization) ?? '', deps.jwtSecret);
      } catch (error) {
        res.status(401).json({ error: (error as Error).message });
        return;
      }
      const parsed = feedRequestSchema.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ error: z.prettifyError(parsed.error) });
        return;
      }
      const request = parsed.data;
      if (request.after === undefined) {
        res.json({ tooOld: false, entries: [], head: await deps.reader.head(), ephemeralHead: await deps.typing.head() });
        return;
      }
      const deadline = Date.now() + request.waitMs;
      let closed = false;
      req.on('close', () => (closed = true));
      for (;;) {
        const page = await deps.reader.read({ after: request.after, limit: request.limit, subscribers: request.subscribers });
        if (!page.tooOld && request.ephemeralAfter !== undefined) {
          const typing = await deps.typing.read({ after: request.ephemeralAfter, subscribers: request.subscribers });
          page.ephemeral = typing.entries;
          page.ephemeralHead = typing.head;
        }
        if (page.tooOld || page.entries.length > 0 || (page.ephemeral?.length ?? 0) > 0 || Date.now() >= deadline || closed || stopping) {
          res.json(page);
          return;
        }
        await deps.signal.wait(Math.min(POLL_TICK_MS, Math.max(0, deadline - Date.now())));
      }
    })().catch((error: unknown) => {
      deps.logger.error({ err: error }, 'feed request failed');
      if (!res.headersSent) res.status(500).json({ error: 'feed read failed' });
    });
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  });
  return {
    /** Ends waiting long-polls and waits for in-flight reads, so the database can close under none. */
    stop: async () => {
      stopping = true;
      deps.signal.signal();
      await Promise.all([...inFlight]);
    },
  };
}
