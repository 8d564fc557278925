import type { Express, Request, Response } from 'express';
import express from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { bearerToken } from '../auth/access-token';
import { verifyServiceToken } from '../auth/service-token';
import { LIVE_FEED_PATH, feedRequestSchema, type FeedPage, type FeedSubscriber } from './live-feed.contract';

/** While a long-poll waits, the feed is re-read this often (events committed by other instances). */
const POLL_TICK_MS = 100;

/** Wakes long-polling feed readers when this instance commits events (others are found by polling). */
export class LiveFeedSignal {
  private waiters = new Set<() => void>();

  signal(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next signal or after `ms`, whichever comes first. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }
}

export interface LiveFeedReader {
  head(): Promise<string>;
  read(params: { after: string; limit: number; subscribers: readonly FeedSubscriber[] }): Promise<FeedPage>;
}

/**
 * POST /internal/feed (service token only): the live feed for the gateway's LiveHub. The service decides
 * who may see each event; the gateway only delivers. Not part of the public API.
 */
export function registerLiveFeedRoute(app: Express, deps: { reader: LiveFeedReader; signal: LiveFeedSignal; jwtSecret: string; logger: Logger }): { stop(): Promise<void> } {
  let stopping = false;
  const inFlight = new Set<Promise<void>>();
  app.post(LIVE_FEED_PATH, express.json({ limit: '8mb' }), (req: Request, res: Response) => {
    if (stopping) {
      res.status(503).json({ error: 'the service is shutting down' });
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
        res.json({ tooOld: false, entries: [], head: await deps.reader.head() });
        return;
      }
      const deadline = Date.now() + request.waitMs;
      let closed = false;
      req.on('close', () => (closed = true));
      for (;;) {
        const page = await deps.reader.read({ after: request.after, limit: request.limit, subscribers: request.subscribers });
        if (page.tooOld || page.entries.length > 0 || Date.now() >= deadline || closed || stopping) {
          res.json(page);
          return;
        }
        await deps.signal.wait(Math.min(POLL_TICK_MS, Math.max(0, deadline - Date.now())));
      }
    })().catch((error: unknown) => {
      deps.logger.error({ err: error }, 'live feed request failed');
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
