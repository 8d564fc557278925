import { queryPrepared, queryRows } from '@switchboard/persistence';
import {
  MessageDeletedV1,
  MessageEditedV1,
  MessageReceivedV1,
  ReactionChangedV1,
  ReceiptReceivedV1,
  DeliveryFailedV1,
  CommentReceivedV1,
  MessageEchoedV1,
  ContractViolationError,
  type FailureCode,
  parseEvent,
  type Envelope,
  type MessageReceived,
  type CommentReceived,
} from '@switchboard/contracts';
import { GroupCommitQueue, type EventToPublish } from '@switchboard/messaging';
import { traceCausedWork, type Logger } from '@switchboard/service-kit';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { CHAT_PRODUCER, chatEvents } from '../chat-events.factory';
import { emitEvents, emitEventsFrom, eventRowParameters, eventRowsSql } from '../feed/emit-events';
import { statementText } from '../statement-text';
import { messagePreview } from '../messages/message-preview';

/** Chats remembered by one instance (about 100 bytes each). */
const MAX_KNOWN_CHATS = 100_000;

type NewMessageEvent = { envelope: Envelope; data: MessageReceived | CommentReceived };

interface ChatRow {
  id: string;
  chat_key: string;
  number: string;
}

/**
 * Turns a batch of inbound events into chats, customers and messages set-based, in a few statements:
 * PostgreSQL does a hundred rows in about the time it does one, and Kafka hands us batches anyway.
 * Every write is keyed by a natural key, so a redelivered batch changes nothing and emits nothing.
 */
export class InboundIngestService {
  /**
   * Batches of different partitions arrive concurrently; while `concurrency` transactions run, the next ones
   * wait and then go together, so the transaction cost is paid once for all of them (a failure is retried per
   * batch, so a poison record fails only its own partition's batch). Transactions may overlap because their
   * batches come from different partitions, hence different chats: a partition hands over its next batch
   * only after this one resolved. Feed positions still follow commit order (the feed lock in emitEvents).
   */
  private readonly queue: GroupCommitQueue<Envelope>;
  /**
   * Chats this instance stored messages into, by chat key. A chat's id and number never change, but a deleted
   * chat's key later opens a new chat: every use is checked by the statement that uses it.
   */
  private readonly knownChats = new Map<string, ChatRow>();
  /**
   * Runs the hot path's statement: prepared once per connection where connections have their own sessions
   * (its planning took 0.5-0.7 ms a call, a quarter of PostgreSQL's CPU at 500 msg/s; decision 0051).
   */
  private readonly runHotStatement: (sql: string, parameters: unknown[]) => Promise<unknown[]>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    private readonly onCommitted: () => void,
    options: { concurrency?: number; preparedStatements?: boolean } = {},
  ) {
    this.runHotStatement = options.preparedStatements
      ? (sql, parameters) => queryPrepared(this.dataSource, sql, parameters)
      : (sql, parameters) => this.dataSource.query(sql, parameters);
    this.queue = new GroupCommitQueue<Envelope>((envelopes) => this.ingestNow(envelopes), {
      maxItemsPerRequest: 5_000,
      isolateFailures: true,
      maxInFlight: options.concurrency ?? 1,
    });
  }

  /** Resolves when these envelopes are stored (or were already): only then may their offsets be committed. */
  ingest(envelopes: readonly Envelope[]): Promise<void> {
    return this.queue.enqueue(envelopes);
  }

  private ingestNow(envelopes: readonly Envelope[]): Promise<void> {
    // One span per transaction, in the trace of the messages it stores (decision 0037); no-op when tracing is off.
    return traceCausedWork(CHAT_PRODUCER, 'chat.ingest', envelopes.map((e) => e.id), () => this.ingestBatch(envelopes));
  }

  private async ingestBatch(envelopes: readonly Envelope[]): Promise<void> {
    const newMessages: NewMessageEvent[] = [];
    const others: Envelope[] = [];
    for (const envelope of envelopes) {
      if (envelope.type === MessageReceivedV1.type) newMessages.push({ envelope, data: parseEvent(MessageReceivedV1, envelope).data });
      else if (envelope.type === CommentReceivedV1.type) newMessages.push({ envelope, data: parseEvent(CommentReceivedV1, envelope).data });
      else others.push(envelope);
    }
    // New messages first: an edit or a reaction in the same batch may concern one of them.
    let emitted = newMessages.length > 0 ? await this.storeNewMessages(newMessages) : 0;
    if (others.length > 0) {
      emitted += await this.dataSource.transaction(async (manager) => {
        const out: EventToPublish[] = [];
        for (const envelope of others) out.push(...(await this.applyChange(manager, envelope)));
        await emitEvents(manager, out);
        return out.length;
      });
    }
    if (emitted > 0) this.onCommitted();
  }

  /**
   * The hot path, in as few round trips as its guarantees allow (each is a few milliseconds on a busy
   * machine, and a Kafka partition waits for them before its next fetch; decision 0051). When this instance
   * knows every chat of the batch: one statement, no transaction, which writes the customers' profiles,
   * stores the messages, updates the chats' activity and writes the events of exactly the messages it stored
   * (a message and its event commit together). Otherwise, or for the chats the statement did not find, the
   * chats are looked up first; a new chat adds a transaction around its creation (number counter, chat row,
   * chat.created event) and the message statement. Returns the number of events written.
   */
  private async storeNewMessages(batch: NewMessageEvent[]): Promise<number> {
    if (!batch.every((m) => this.knownChats.has(m.data.chatKey))) return this.storeWithLookup(batch);
    const stored = await this.insertMessages(this.runHotStatement, batch, this.knownChats, [], { withProfiles: true });
    if (stored.unknownChats.length === 0) return stored.events;
    // Deleted (D3) since we stored into them: their messages open new chats, the long way.
    const unknown = new Set(stored.unknownChats);
    for (const key of unknown) this.knownChats.delete(key);
    return stored.events + (await this.storeWithLookup(batch.filter((m) => unknown.has(m.data.chatKey))));
  }

  private async storeWithLookup(batch: NewMessageEvent[]): Promise<number> {
    const chatKeys = [...new Set(batch.map((m) => m.data.chatKey))];
    const chatByKey = await this.upsertCustomersFindChats(batch, chatKeys);
    const missing = chatKeys.filter((k) => !chatByKey.has(k));
    const stored =
      missing.length === 0
        ? await this.insertMessages((sql, parameters) => this.dataSource.query(sql, parameters), batch, chatByKey, [], { withProfiles: false })
        : await this.dataSource.transaction(async (manager) => {
            const created = await this.createChats(manager, batch, missing, chatByKey);
            return this.insertMessages((sql, parameters) => manager.query(sql, parameters), batch, chatByKey, created, { withProfiles: false });
          });
    if (stored.unknownChats.length > 0) {
      // Found a moment ago and deleted since: fail the batch, so it is retried and opens new chats.
      throw new Error(`chats deleted while their messages were being stored: ${stored.unknownChats.join(', ')}`);
    }
    for (const [key, chat] of chatByKey) this.rememberChat(key, chat);
    return stored.events;
  }

  /** Bounded: the oldest remembered chat goes first (a forgotten chat costs one lookup, not correctness). */
  private rememberChat(key: string, chat: ChatRow): void {
    if (!this.knownChats.has(key) && this.knownChats.size >= MAX_KNOWN_CHATS) {
      const oldest = this.knownChats.keys().next();
      if (!oldest.done) this.knownChats.delete(oldest.value);
    }
    this.knownChats.set(key, chat);
  }

  /**
   * Customers' profiles and the batch's existing chats, in one statement outside any transaction (a profile
   * written without its message is harmless, and a retry writes it again).
   */
  private async upsertCustomersFindChats(batch: NewMessageEvent[], chatKeys: string[]): Promise<Map<string, ChatRow>> {
    const rows = (await this.dataSource.query(upsertCustomersFindChatsSql(), [...customerProfileParameters(batch), chatKeys])) as ChatRow[];
    return new Map(rows.map((r) => [r.chat_key, r]));
  }

  /** Numbers and creates the missing chats under the counter lock; returns their chat.created events. */
  private async createChats(manager: EntityManager, batch: NewMessageEvent[], missing: string[], chatByKey: Map<string, ChatRow>): Promise<EventToPublish[]> {
    const counter = (await manager.query(`SELECT last_number FROM chat.chat_number_counter WHERE id = 1 FOR UPDATE`)) as { last_number: string }[];
    // Another transaction may have created some of them while we waited for the lock.
    const found = (await manager.query(`SELECT id, chat_key, number FROM chat.chats WHERE chat_key = ANY($1::text[])`, [missing])) as ChatRow[];
    for (const row of found) chatByKey.set(row.chat_key, row);
    const firstByChatKey = new Map<string, NewMessageEvent>();
    for (const item of batch) if (!firstByChatKey.has(item.data.chatKey)) firstByChatKey.set(item.data.chatKey, item);
    const toCreate = missing.filter((k) => !chatByKey.has(k)).map((chatKey) => firstByChatKey.get(chatKey)!);
    if (toCreate.length === 0) return [];
    const customerRows = (await manager.query(
      `SELECT c.id, c.connection_id, c.external_id, c.display_name, c.username
       FROM unnest($1::uuid[], $2::text[]) AS k(connection_id, external_id)
       JOIN chat.customers c ON c.connection_id = k.connection_id AND c.external_id = k.external_id`,
      columns(toCreate, [(m) => m.data.connection.id, (m) => m.data.customer.externalId]),
    )) as { id: string; connection_id: string; external_id: string; display_name: string; username: string | null }[];
    const customerByKey = new Map(customerRows.map((r) => [customerKeyOf(r.connection_id, r.external_id), r]));
    let next = Number(counter[0]!.last_number);
    const rows = toCreate.map(({ data, envelope }) => ({
      data,
      envelope,
      customer: customerByKey.get(customerKeyOf(data.connection.id, data.customer.externalId))!,
      number: ++next,
    }));
    const created = (await manager.query(
      `INSERT INTO chat.chats (number, chat_key, channel, connection_id, connection_display_name, external_chat_id, customer_id, status_code, created_at, last_message_at)
       SELECT n, k, ch, conn, cname, ext, cust, 'new', t, t
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::uuid[], $8::timestamptz[]) AS r(n, k, ch, conn, cname, ext, cust, t)
       RETURNING id, chat_key, number, created_at`,
      columns(rows, [
        (c) => c.number,
        (c) => c.data.chatKey,
        (c) => c.data.connection.channel,
        (c) => c.data.connection.id,
        (c) => c.data.connection.displayName,
        (c) => c.data.externalChatId,
        (c) => c.customer.id,
        (c) => c.data.occurredAt,
      ]),
    )) as (ChatRow & { created_at: Date })[];
    await manager.query(`UPDATE chat.chat_number_counter SET last_number = $1 WHERE id = 1`, [next]);
    const byKey = new Map(rows.map((c) => [c.data.chatKey, c]));
    return created.map((row) => {
      chatByKey.set(row.chat_key, row);
      const source = byKey.get(row.chat_key)!;
      return chatEvents.created(
        {
          chatId: row.id,
          chatNumber: Number(row.number),
          channel: source.data.connection.channel,
          connectionId: source.data.connection.id,
          customer: {
            customerId: source.customer.id,
            displayName: source.customer.display_name,
            ...(source.customer.username ? { username: source.customer.username } : {}),
          },
          status: 'new',
          createdAt: new Date(row.created_at).toISOString(),
        },
        source.envelope,
      );
    });
  }

  /**
   * Messages, in the order the bus delivered them (the platform's per-chat order), with the chats' activity
   * and the events, in one statement. Duplicates vanish on the platform key, and so do their events: each
   * chat.message-added event is written only when its message's row was inserted (the message id is made
   * here so the event can name it before the INSERT). The newest inserted message of each chat decides its
   * preview and "unanswered" state; whether a message made its chat unanswered is known only to the UPDATE,
   * so the statement sets that field of the event. `before` (chat.created events) are written first. A chat
   * given in `chatByKey` that no longer exists under its key (deleted) stores nothing: it comes back in
   * `unknownChats`. `withProfiles` writes the customers' profiles in the same statement.
   */
  private async insertMessages(
    run: (sql: string, parameters: unknown[]) => Promise<unknown[]>,
    batch: NewMessageEvent[],
    chatByKey: ReadonlyMap<string, ChatRow>,
    before: EventToPublish[],
    options: { withProfiles: boolean },
  ): Promise<{ events: number; unknownChats: string[] }> {
    const seen = new Set<string>();
    const rows = batch
      .filter(({ data }) => {
        const key = `${data.chatKey}\u0000${data.platformMessageId}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .map((item) => ({ ...item, id: randomUUID(), chat: chatByKey.get(item.data.chatKey)! }));
    const added = rows.map(({ id, chat, data, envelope }) =>
      chatEvents.messageAdded(
        {
          chatId: chat.id,
          chatNumber: Number(chat.number),
          // Set by the statement (below): true when this batch made the chat unanswered.
          unanswered: false,
          message: {
            messageId: id,
            direction: 'inbound',
            attachments: data.content.attachments,
            ...(data.content.text !== undefined ? { text: data.content.text } : {}),
            ...(data.content.location ? { location: data.content.location } : {}),
            ...(data.content.contact ? { contact: data.content.contact } : {}),
            ...(data.content.placeholder ? { placeholder: data.content.placeholder } : {}),
            sentAt: new Date(data.occurredAt).toISOString(),
          },
        },
        envelope,
      ),
    );
    const [result] = (await run(
      options.withProfiles ? insertMessagesWithProfilesSql() : insertMessagesPlainSql(),
      [
        ...columns(rows, [
          (r) => r.id,
          (r) => r.chat.id,
          (r) => r.data.chatKey,
          (r) => r.data.platformMessageId,
          (r) => r.data.content.text ?? null,
          (r) => JSON.stringify(r.data.content.attachments),
          (r) => json(r.data.content.location),
          (r) => json(r.data.content.contact),
          (r) => r.data.content.placeholder ?? null,
          (r) => json(r.data.content.raw),
          (r) => ('post' in r.data ? (r.data.parentCommentId ?? null) : (r.data.replyToPlatformMessageId ?? null)),
          (r) => ('mediaGroupId' in r.data ? (r.data.mediaGroupId ?? null) : null),
          (r) => r.data.occurredAt,
          (r) => messagePreview(r.data.content),
        ]),
        ...eventRowParameters([...before, ...added], () => undefined),
        // The message each event stands for, aligned with the events' ord (null: written unconditionally).
        [...before.map(() => null), ...rows.map((r) => r.id)],
        ...(options.withProfiles ? customerProfileParameters(batch) : []),
      ],
    )) as { events: number; unknown_chats: string[] }[];
    return { events: result?.events ?? 0, unknownChats: result?.unknown_chats ?? [] };
  }

  /** Edits, deletes, reactions and receipts touch one existing message each: rare enough to do one by one. */
  private async applyChange(manager: EntityManager, envelope: Envelope): Promise<EventToPublish[]> {
    switch (envelope.type) {
      case MessageEditedV1.type: {
        const { data } = parseEvent(MessageEditedV1, envelope);
        const rows = (await queryRows(manager,
          `UPDATE chat.messages m SET text = $3, attachments = $4::jsonb, edited_at = $5
           FROM chat.chats c WHERE c.chat_key = $1 AND m.chat_id = c.id AND m.direction = 'inbound'
             AND m.platform_message_id = $2 AND (m.edited_at IS NULL OR m.edited_at < $5)
           RETURNING m.id, c.id AS chat_id, c.number`,
          [data.chatKey, data.platformMessageId, data.content.text ?? null, JSON.stringify(data.content.attachments), data.editedAt],
        )) as { id: string; chat_id: string; number: string }[];
        return this.changed(rows, envelope, 'edited', { ...(data.content.text !== undefined ? { text: data.content.text } : {}) });
      }
      case MessageDeletedV1.type: {
        const { data } = parseEvent(MessageDeletedV1, envelope);
        const rows = (await queryRows(manager,
          `UPDATE chat.messages m SET deleted_at = $3 FROM chat.chats c
           WHERE c.chat_key = $1 AND m.chat_id = c.id AND m.platform_message_id = $2 AND m.deleted_at IS NULL
           RETURNING m.id, c.id AS chat_id, c.number`,
          [data.chatKey, data.platformMessageId, data.occurredAt],
        )) as { id: string; chat_id: string; number: string }[];
        return this.changed(rows, envelope, 'deleted', {});
      }
      case ReactionChangedV1.type: {
        const { data } = parseEvent(ReactionChangedV1, envelope);
        const rows = (await queryRows(manager,
          `UPDATE chat.messages m SET reactions = $3::jsonb FROM chat.chats c
           WHERE c.chat_key = $1 AND m.chat_id = c.id AND m.platform_message_id = $2
           RETURNING m.id, c.id AS chat_id, c.number`,
          [data.chatKey, data.platformMessageId, JSON.stringify(data.reactions)],
        )) as { id: string; chat_id: string; number: string }[];
        return this.changed(rows, envelope, 'reactions', { reactions: data.reactions });
      }
      case ReceiptReceivedV1.type: {
        const { data } = parseEvent(ReceiptReceivedV1, envelope);
        const rows = (await queryRows(manager,
          `UPDATE chat.messages m SET delivery_state = $2 FROM chat.chats c
           WHERE c.chat_key = $1 AND m.chat_id = c.id AND m.direction = 'outbound'
             AND ((m.platform_message_id = $3) OR ($4::timestamptz IS NOT NULL AND m.sent_at <= $4::timestamptz))
             AND m.delivery_state IN ('sent', 'delivered') AND m.delivery_state <> $2
             AND NOT (m.delivery_state = 'read')
           RETURNING m.id, c.id AS chat_id, c.number`,
          [data.chatKey, data.receipt, data.platformMessageId ?? null, data.upTo ?? null],
        )) as { id: string; chat_id: string; number: string }[];
        return this.changed(rows, envelope, 'delivery', { deliveryState: data.receipt });
      }
      case DeliveryFailedV1.type: {
        // The platform accepted the message earlier (sent/delivered) and now reports it failed: final.
        const { data } = parseEvent(DeliveryFailedV1, envelope);
        const rows = (await queryRows(manager,
          `UPDATE chat.messages m SET delivery_state = 'failed', failure_code = $3, failure_message = $4 FROM chat.chats c
           WHERE c.chat_key = $1 AND m.chat_id = c.id AND m.direction = 'outbound' AND m.platform_message_id = $2
             AND m.delivery_state IN ('sent', 'delivered')
           RETURNING m.id, c.id AS chat_id, c.number`,
          [data.chatKey, data.platformMessageId, data.failure.code, data.failure.message],
        )) as { id: string; chat_id: string; number: string }[];
        return this.changed(rows, envelope, 'delivery', { deliveryState: 'failed', failure: data.failure });
      }
      case MessageEchoedV1.type:
        return this.applyEcho(manager, envelope);
      default:
        // Parked on the dead-letter topic by the reliable consumer: a type we do not know is never dropped silently.
        throw new ContractViolationError(`chat service has no handler for ${envelope.type}.v${envelope.version}`);
    }
  }

  /**
   * A message the business sent outside the inbox, mirrored as outgoing and already sent. Only into a chat
   * that exists: an echo carries no customer profile to open one with. Duplicates vanish on the platform key.
   */
  private async applyEcho(manager: EntityManager, envelope: Envelope): Promise<EventToPublish[]> {
    const { data } = parseEvent(MessageEchoedV1, envelope);
    const content = data.content;
    const rows = (await queryRows(manager,
      `INSERT INTO chat.messages (chat_id, direction, platform_message_id, text, attachments, location, contact, placeholder, raw,
                                  reply_to_platform_message_id, delivery_state, sent_at)
       SELECT c.id, 'outbound', $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8::jsonb, $9, 'sent', $10 FROM chat.chats c WHERE c.chat_key = $1
       ON CONFLICT (chat_id, direction, platform_message_id) DO NOTHING
       RETURNING id, chat_id, sent_at`,
      [
        data.chatKey,
        data.platformMessageId,
        content.text ?? null,
        JSON.stringify(content.attachments),
        json(content.location),
        json(content.contact),
        content.placeholder ?? null,
        json(content.raw),
        data.replyToPlatformMessageId ?? null,
        data.occurredAt,
      ],
    )) as { id: string; chat_id: string; sent_at: Date }[];
    const row = rows[0];
    if (!row) {
      this.logger.info({ eventId: envelope.id, key: envelope.key }, 'echo for a chat we do not have (or already mirrored); nothing to do');
      return [];
    }
    const chats = (await queryRows(manager,
      `UPDATE chat.chats c SET
         last_message_at = GREATEST(c.last_message_at, $2::timestamptz),
         last_message_preview = CASE WHEN c.last_message_at <= $2::timestamptz THEN $3 ELSE c.last_message_preview END,
         last_message_direction = CASE WHEN c.last_message_at <= $2::timestamptz THEN 'outbound' ELSE c.last_message_direction END,
         unanswered = CASE WHEN c.last_message_at <= $2::timestamptz THEN false ELSE c.unanswered END,
         updated_at = now()
       WHERE c.id = $1 RETURNING c.number, c.unanswered`,
      [row.chat_id, new Date(row.sent_at).toISOString(), messagePreview(content)],
    )) as { number: string; unanswered: boolean }[];
    const chat = chats[0]!;
    return [
      chatEvents.messageAdded(
        {
          chatId: row.chat_id,
          chatNumber: Number(chat.number),
          unanswered: chat.unanswered,
          message: {
            messageId: row.id,
            direction: 'outbound',
            attachments: content.attachments,
            ...(content.text !== undefined ? { text: content.text } : {}),
            ...(content.placeholder ? { placeholder: content.placeholder } : {}),
            deliveryState: 'sent',
            sentAt: new Date(row.sent_at).toISOString(),
          },
        },
        envelope,
      ),
    ];
  }

  private changed(
    rows: { id: string; chat_id: string; number: string }[],
    envelope: Envelope,
    change: 'edited' | 'deleted' | 'reactions' | 'delivery',
    extra: {
      text?: string;
      reactions?: string[];
      deliveryState?: 'delivered' | 'read' | 'failed';
      failure?: { code: FailureCode; message: string };
    },
  ): EventToPublish[] {
    if (rows.length === 0) {
      this.logger.info({ eventId: envelope.id, type: envelope.type, key: envelope.key }, 'change for a message we do not have (or already applied); nothing to do');
    }
    return rows.map((row) =>
      chatEvents.messageUpdated(
        { chatId: row.chat_id, chatNumber: Number(row.number), messageId: row.id, change, ...extra, changedAt: new Date().toISOString() },
        envelope,
      ),
    );
  }
}

/**
 * The customers' profiles of a batch as an upsert (a CTE body), its parameters ($firstParameter on, from
 * customerProfileParameters). An unchanged profile is not rewritten: most messages come from customers the
 * chat service already knows.
 */
function customerProfilesSql(firstParameter: number): string {
  const p = Array.from({ length: 8 }, (_, i) => `$${firstParameter + i}`);
  return `INSERT INTO chat.customers AS c (connection_id, channel, external_id, display_name, username, phone, language_code, profile_url)
         SELECT * FROM unnest(${p[0]}::uuid[], ${p[1]}::text[], ${p[2]}::text[], ${p[3]}::text[], ${p[4]}::text[], ${p[5]}::text[], ${p[6]}::text[], ${p[7]}::text[])
         ON CONFLICT (connection_id, external_id) DO UPDATE SET
           display_name = EXCLUDED.display_name,
           username = COALESCE(EXCLUDED.username, c.username),
           phone = COALESCE(EXCLUDED.phone, c.phone),
           language_code = COALESCE(EXCLUDED.language_code, c.language_code),
           profile_url = COALESCE(EXCLUDED.profile_url, c.profile_url),
           updated_at = now()
         WHERE (c.display_name, c.username, c.phone, c.language_code, c.profile_url) IS DISTINCT FROM
               (EXCLUDED.display_name, COALESCE(EXCLUDED.username, c.username), COALESCE(EXCLUDED.phone, c.phone),
                COALESCE(EXCLUDED.language_code, c.language_code), COALESCE(EXCLUDED.profile_url, c.profile_url))`;
}

/**
 * The eight column arrays of customerProfilesSql, one row per customer of the batch. The latest profile wins
 * (people rename themselves), but a message that omits a field keeps what an earlier one said, within the batch
 * as in the upsert (a later message without the username must not erase the one the first message brought).
 */
function customerProfileParameters(batch: readonly NewMessageEvent[]): unknown[][] {
  const customers = new Map<string, MessageReceived['customer'] & { connectionId: string; channel: string }>();
  for (const { data } of batch) {
    const key = customerKeyOf(data.connection.id, data.customer.externalId);
    const earlier = customers.get(key);
    const latest = data.customer;
    customers.set(key, {
      ...earlier,
      ...latest,
      username: latest.username ?? earlier?.username,
      phone: latest.phone ?? earlier?.phone,
      languageCode: latest.languageCode ?? earlier?.languageCode,
      profileUrl: latest.profileUrl ?? earlier?.profileUrl,
      connectionId: data.connection.id,
      channel: data.connection.channel,
    });
  }
  return columns([...customers.values()], [
    (c) => c.connectionId,
    (c) => c.channel,
    (c) => c.externalId,
    (c) => c.displayName,
    (c) => c.username ?? null,
    (c) => c.phone ?? null,
    (c) => c.languageCode ?? null,
    (c) => c.profileUrl ?? null,
  ]);
}

/** A customer within its connection (external ids are only unique per connection). */
function customerKeyOf(connectionId: string, externalId: string): string {
  return `${connectionId}\u0000${externalId}`;
}

/**
 * The message statement of insertMessages ($1-$14 the messages, $15-$24 the events, $25 the message of each
 * event, $26-$33 the profiles when written too): built once (statementText), so the prepared statement's text is one string.
 */
function insertMessagesSql(withProfiles: boolean): string {
  return `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::text[])
           WITH ORDINALITY AS r(id, chat_id, chat_key, pmid, txt, att, loc, con, ph, raw, reply, grp, t, preview, ord)
       ),${withProfiles ? ` profiles AS (${customerProfilesSql(26)}),` : ''} known AS (
         SELECT input.* FROM input JOIN chat.chats c ON c.id = input.chat_id AND c.chat_key = input.chat_key
       ), inserted AS (
         INSERT INTO chat.messages (id, chat_id, direction, platform_message_id, text, attachments, location, contact, placeholder, raw,
                                    reply_to_platform_message_id, media_group_id, sent_at)
         SELECT id, chat_id, 'inbound', pmid, txt, att::jsonb, loc::jsonb, con::jsonb, ph, raw::jsonb, reply, grp, t FROM known ORDER BY ord
         ON CONFLICT (chat_id, direction, platform_message_id) DO NOTHING
         RETURNING id
       ), latest AS (
         SELECT DISTINCT ON (known.chat_id) known.chat_id, known.t, known.preview
         FROM known JOIN inserted USING (id) ORDER BY known.chat_id, known.t DESC, known.ord DESC
       ), activity AS (
         UPDATE chat.chats c SET
           last_message_at = l.t, last_message_preview = l.preview, last_message_direction = 'inbound',
           unanswered = true, updated_at = now()
         FROM latest l
         WHERE c.id = l.chat_id AND c.last_message_at <= l.t
         RETURNING c.id
       ), candidates AS (
         ${eventRowsSql(15)}
       ), events AS (
         SELECT e.topic, e.key, e.headers, e.chat_id, e.connection_id, e.operator_ids, e.only_employee_id, e.type, e.traceparent, e.ord,
                CASE WHEN m.id IS NULL THEN e.value
                     ELSE jsonb_set(e.value::jsonb, '{data,unanswered}', to_jsonb(EXISTS (SELECT 1 FROM activity a WHERE a.id = e.chat_id)))::text
                END AS value
         FROM candidates e LEFT JOIN unnest($25::uuid[]) WITH ORDINALITY AS m(id, ord) ON m.ord = e.ord
         WHERE m.id IS NULL OR m.id IN (SELECT id FROM inserted)
       ), ${emitEventsFrom('events')}
       SELECT (SELECT count(*) FROM feed_rows)::int AS events,
              ARRAY(SELECT DISTINCT chat_key FROM input WHERE id NOT IN (SELECT id FROM known)) AS unknown_chats`;
}

const upsertCustomersFindChatsSql = statementText(
  () => `WITH profiles AS (${customerProfilesSql(1)}) SELECT id, chat_key, number FROM chat.chats WHERE chat_key = ANY($9::text[])`,
);
const insertMessagesPlainSql = statementText(() => insertMessagesSql(false));
const insertMessagesWithProfilesSql = statementText(() => insertMessagesSql(true));

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** Column-wise arrays for `unnest($1::type[], ...)`: one round trip for any number of rows. */
function columns<T>(rows: readonly T[], pick: ((row: T) => unknown)[]): unknown[][] {
  return pick.map((p) => rows.map(p));
}
