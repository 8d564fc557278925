import { TOPICS } from '@switchboard/contracts';
import { enqueueOutbox, outboxInsert, traceHeadersFor, type EventToPublish } from '@switchboard/messaging';
import type { EntityManager } from 'typeorm';
import { CHAT_SCHEMA } from '../chat.config';

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
  const chatEvents = events.filter((e) => e.topic === TOPICS.chatEvents);
  if (chatEvents.length === 0) {
    await enqueueOutbox(manager, CHAT_SCHEMA, events);
    return;
  }
  const audiences = chatEvents.map(audienceOf);
  const outbox = outboxInsert(CHAT_SCHEMA, events, 8);
  // One round trip for the outbox rows, the feed lock and the feed rows (this runs in every chat-event
  // transaction, ingest's included). Positions must be handed out in commit order: a reader that returned
  // position 8 never looks back, so 7 must not commit after it. The lock is held from the insert to the
  // commit (decision 0012, amendment: the former xid-based read filter lost live events in the chaos
  // suite); it sits in the feed rows' FROM, so no row (and no position) exists before it is granted.
  await manager.query(
    `WITH outbox_rows AS (${outbox.sql})
     INSERT INTO chat.feed (chat_id, connection_id, operator_ids, only_employee_id, type, envelope, traceparent)
     SELECT e.chat_id, COALESCE(e.connection_id, c.connection_id), COALESCE(e.operator_ids::uuid[], c.operator_ids), e.only_employee_id, e.type, e.envelope, e.traceparent
     FROM (SELECT pg_advisory_xact_lock(hashtextextended('chat.feed', 0))) AS feed_lock,
          unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::jsonb[], $7::text[]) WITH ORDINALITY
            AS e(chat_id, connection_id, operator_ids, only_employee_id, type, envelope, traceparent, ord)
     LEFT JOIN chat.chats c ON c.id = e.chat_id
     ORDER BY e.ord`,
    [
      chatEvents.map((e) => e.envelope.key),
      audiences.map((a) => a?.connectionId ?? null),
      // Arrays of arrays are awkward in unnest; the operator list travels as a uuid[] literal per row.
      audiences.map((a) => (a?.operatorIds ? `{${a.operatorIds.join(',')}}` : null)),
      audiences.map((a) => a?.onlyEmployeeId ?? null),
      chatEvents.map((e) => e.envelope.type),
      chatEvents.map((e) => JSON.stringify(e.envelope)),
      // The same trace context the outbox record carries: the gateway's delivery continues it (decision 0037).
      chatEvents.map((e) => traceHeadersFor(e.envelope)['traceparent'] ?? null),
      ...outbox.parameters,
    ],
  );
}
