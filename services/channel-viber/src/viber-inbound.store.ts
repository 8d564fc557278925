import { enqueueOutbox, type OutboxRelay } from '@switchboard/messaging';
import { deleteOlderThan } from '@switchboard/service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { CHANNEL_VIBER_SCHEMA } from './channel-viber.config';
import type { CallbackPlan, SubscriptionChange } from './viber-callback.normaliser';
import type { FetchedMedia } from './viber-media';

const S = `"${CHANNEL_VIBER_SCHEMA}"`;

/**
 * Makes a callback durable: one transaction records it (its dedupe key decides whether it is new), applies
 * the subscription change, keeps the media and puts its events into the outbox. Viber is answered 200 only
 * after this committed; the relay then publishes. A repeated callback changes and publishes nothing.
 */
export class ViberInboundStore {
  constructor(private readonly deps: { dataSource: DataSource; relay: Pick<OutboxRelay, 'notify'> }) {}

  async isKnown(connectionId: string, dedupeKey: string): Promise<boolean> {
    const rows: unknown[] = await this.deps.dataSource.query(
      `SELECT 1 FROM ${S}.inbound_callbacks WHERE connection_id = $1 AND dedupe_key = $2`,
      [connectionId, dedupeKey],
    );
    return rows.length > 0;
  }

  /**
   * Forgets dedupe rows older than the cutoff. Viber retries a callback for about an hour, so rows kept for
   * days still catch every retry; the table stops growing with the bot's traffic. Returns the rows removed.
   */
  async pruneCallbacks(olderThan: Date): Promise<number> {
    return deleteOlderThan(this.deps.dataSource, `${S}.inbound_callbacks`, 'received_at', olderThan);
  }

  /**
   * Forgets customers' files downloaded before the cutoff: the files service copies each one within seconds
   * of its event (retrying for minutes while this connector is unreachable), so after the retention a copy
   * here only fills the database. Asked for later, the media endpoint answers MEDIA_GONE. Returns the rows removed.
   */
  async pruneMedia(olderThan: Date): Promise<number> {
    return deleteOlderThan(this.deps.dataSource, `${S}.inbound_media`, 'fetched_at', olderThan);
  }

  /** 'duplicate' when the same callback was stored before (Viber retried it). */
  async store(connectionId: string, plan: CallbackPlan, media: FetchedMedia | undefined): Promise<'stored' | 'duplicate'> {
    const outcome = await this.deps.dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO ${S}.inbound_callbacks (connection_id, dedupe_key, event, message_token, user_id, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING dedupe_key`,
        [connectionId, plan.dedupeKey, plan.event, plan.messageToken ?? null, plan.userId ?? null, plan.occurredAt],
      )) as unknown[];
      if (inserted.length === 0) return 'duplicate' as const;
      if (plan.subscription) await applySubscription(manager, connectionId, plan.subscription);
      if (media && plan.messageToken) await keepMedia(manager, connectionId, plan.messageToken, media);
      await enqueueOutbox(manager, CHANNEL_VIBER_SCHEMA, plan.events);
      return 'stored' as const;
    });
    if (outcome === 'stored' && plan.events.length > 0) this.deps.relay.notify();
    return outcome;
  }
}

/** Callbacks may arrive out of order: only a change at least as new as the stored one applies. */
async function applySubscription(manager: EntityManager, connectionId: string, change: SubscriptionChange): Promise<void> {
  await manager.query(
    `INSERT INTO ${S}.subscribers AS s (connection_id, user_id, name, subscribed, changed_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (connection_id, user_id) DO UPDATE SET
       subscribed = CASE WHEN EXCLUDED.changed_at >= s.changed_at THEN EXCLUDED.subscribed ELSE s.subscribed END,
       changed_at = GREATEST(s.changed_at, EXCLUDED.changed_at),
       name = COALESCE(EXCLUDED.name, s.name), updated_at = now()`,
    [connectionId, change.userId, change.name ?? null, change.subscribed, change.at],
  );
}

async function keepMedia(manager: EntityManager, connectionId: string, messageToken: string, media: FetchedMedia): Promise<void> {
  const stored = media.state === 'stored' ? media : undefined;
  await manager.query(
    `INSERT INTO ${S}.inbound_media (connection_id, message_token, source_url, state, mime_type, size_bytes, sha256, content, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
    [
      connectionId,
      messageToken,
      media.sourceUrl,
      media.state,
      media.state === 'failed' ? null : (media.mimeType ?? null),
      media.state === 'failed' ? null : (media.sizeBytes ?? null),
      stored?.sha256 ?? null,
      stored?.content ?? null,
      media.state === 'stored' ? null : media.error,
    ],
  );
}
