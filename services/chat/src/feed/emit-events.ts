import { TOPICS } from '@switchboard/contracts';
import { enqueueOutbox, outboxInsertFrom, toOutgoingRecord, type EventToPublish } from '@switchboard/messaging';
import type { EntityManager } from 'typeorm';
import { CHAT_SCHEMA } from '../chat.config';
import { statementText } from '../statement-text';

/**
 * Who may be told about a feed entry, when the chat row cannot say it at read time: a deleted chat has
 * no row, operators who were just removed must still hear that they were, and a read receipt concerns
 * one employee only. Omitted fields come from the chat row as it is when the event is written.
 */
export interface FeedAudience {
  connectionId?: string;
  operatorIds?: string[];
  onlyEmployeeId?: string;
}

/**
 * The one way the chat service emits events: into the outbox (for Kafka subscribers and connectors) and,
 * for chat events, into the live feed (for operators' subscriptions), in the caller's transaction.
 */
export async function emitEvents(
  manager: EntityManager,
  events: readonly EventToPublish[],
  audienceOf: (event: EventToPublish) => FeedAudience | undefined = () => undefined,
): Promise<void> {
  if (events.length === 0) return;
  if (!events.some((e) => e.topic === TOPICS.chatEvents)) {
    await enqueueOutbox(manager, CHAT_SCHEMA, events);
    return;
  }
  await manager.query(emitEventsSql(), eventRowParameters(events, audienceOf));
}

/**
 * Events as a relation for emitEventsFrom, its parameters ($firstParameter on, from eventRowParameters) in
 * the order of its columns: topic, key, value (the envelope as JSON text), headers (JSON text), chat_id (null
 * when not a chat event), connection_id, operator_ids (uuid[] literal), only_employee_id, type, traceparent;
 * then ord.
 */
export function eventRowsSql(firstParameter: number): string {
  const p = Array.from({ length: 10 }, (_, i) => `$${firstParameter + i}`);
  return `SELECT * FROM unnest(${p[0]}::text[], ${p[1]}::text[], ${p[2]}::text[], ${p[3]}::text[], ${p[4]}::uuid[], ${p[5]}::uuid[], ${p[6]}::text[], ${p[7]}::uuid[], ${p[8]}::text[], ${p[9]}::text[])
       WITH ORDINALITY AS e(topic, key, value, headers, chat_id, connection_id, operator_ids, only_employee_id, type, traceparent, ord)`;
}

/** The ten column arrays of eventRowsSql for these events. */
export function eventRowParameters(events: readonly EventToPublish[], audienceOf: (event: EventToPublish) => FeedAudience | undefined): unknown[][] {
  const records = events.map(toOutgoingRecord);
  const audiences = events.map((e) => (e.topic === TOPICS.chatEvents ? audienceOf(e) : undefined));
  return [
    records.map((r) => r.topic),
    records.map((r) => r.key),
    records.map((r) => r.value),
    records.map((r) => JSON.stringify(r.headers ?? {})),
    events.map((e) => (e.topic === TOPICS.chatEvents ? e.envelope.key : null)),
    audiences.map((a) => a?.connectionId ?? null),
    // Arrays of arrays are awkward in unnest; the operator list travels as a uuid[] literal per row.
    audiences.map((a) => (a?.operatorIds ? `{${a.operatorIds.join(',')}}` : null)),
    audiences.map((a) => a?.onlyEmployeeId ?? null),
    events.map((e) => e.envelope.type),
    // The same trace context the outbox record carries: the gateway's delivery continues it (decision 0037).
    records.map((r) => r.headers?.['traceparent'] ?? null),
  ];
}

/**
 * Two CTEs, `outbox_rows` and `feed_rows` (one row per feed row), for a WITH statement: they write the events
 * of `relation` (columns as eventRowsSql names them) to the outbox, in `ord` order, and its chat events to the
 * feed. Positions must be handed out in commit order: a reader that returned position 8 never looks back, so 7
 * must not commit after it. The lock is held from the insert to the commit (decision 0012, amendment: the
 * former xid-based read filter lost live events in the chaos suite); it sits in the feed rows' FROM, so no row
 * (and no position) exists before it is granted. One statement for all of it: this runs in every chat-event
 * transaction, ingest's included, and each round trip is a few milliseconds on a busy machine.
 */
export function emitEventsFrom(relation: string): string {
  return `outbox_rows AS (${outboxInsertFrom(CHAT_SCHEMA, relation)}),
     feed_rows AS (
       INSERT INTO chat.feed (chat_id, connection_id, operator_ids, only_employee_id, type, envelope, traceparent)
       SELECT e.chat_id, COALESCE(e.connection_id, c.connection_id), COALESCE(e.operator_ids::uuid[], c.operator_ids), e.only_employee_id, e.type, e.value::jsonb, e.traceparent
       FROM (SELECT pg_advisory_xact_lock(hashtextextended('chat.feed', 0))) AS feed_lock, ${relation} e
       LEFT JOIN chat.chats c ON c.id = e.chat_id
       WHERE e.chat_id IS NOT NULL
       ORDER BY e.ord
       RETURNING 1
     )`;
}

const emitEventsSql = statementText(() => `WITH events AS (${eventRowsSql(1)}), ${emitEventsFrom('events')} SELECT count(*) FROM feed_rows`);
