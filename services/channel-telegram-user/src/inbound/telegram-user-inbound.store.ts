import { queryRows } from '@switchboard/persistence';
import {
  MessageDeletedV1,
  MessageEchoedV1,
  MessageEditedV1,
  MessageReceivedV1,
  ReceiptReceivedV1,
  TOPICS,
  chatKeyOf,
  createEnvelope,
  type ConnectionRef,
  type EventContract,
} from '@switchboard/contracts';
import { enqueueOutbox, type EventToPublish, type OutboxRelay } from '@switchboard/messaging';
import type { DataSource, EntityManager } from 'typeorm';
import type { z } from 'zod';
import { CHANNEL_TELEGRAM_USER_SCHEMA, CHANNEL_TELEGRAM_USER_SERVICE } from '../channel-telegram-user.config';
import type { PeerRecord, TelegramUserConnectionRepository } from '../connections/connection.repository';
import { customerOf } from './telegram-user.profile';
import type { PlannedMessage, UpdatePlan } from './telegram-user-update.normaliser';

const S = `"${CHANNEL_TELEGRAM_USER_SCHEMA}"`;
/** A read receipt names each of our messages it covers; a customer who reads a long backlog reports at most this many. */
const MAX_RECEIPTS_PER_READ = 200;

export type StoreOutcome = 'published' | 'duplicate' | 'unknown_message';

/**
 * Makes inbound changes durable: one transaction records what Telegram said (the message id decides
 * whether a message is new, so live updates and back-fill never publish one twice), keeps the peers, and
 * puts the events into the outbox; the relay publishes them after commit in the order they were stored.
 */
export class TelegramUserInboundStore {
  constructor(
    private readonly deps: { dataSource: DataSource; relay: Pick<OutboxRelay, 'notify'>; connections: TelegramUserConnectionRepository },
  ) {}

  async apply(connection: ConnectionRef, plan: Exclude<UpdatePlan, { kind: 'ignored' | 'typing' }>, peers: readonly PeerRecord[]): Promise<StoreOutcome> {
    const outcome = await this.deps.dataSource.transaction(async (manager) => {
      await this.deps.connections.upsertPeers(manager, connection.id, peers);
      let events: EventToPublish[] | 'duplicate' | 'unknown_message';
      switch (plan.kind) {
        case 'message':
          events = await this.newMessage(manager, connection, plan.message);
          break;
        case 'edit':
          events = await this.edit(manager, connection, plan.message, plan.editDate, plan.editedAt);
          break;
        case 'delete':
          events = await this.delete(manager, connection, plan.messageIds);
          break;
        case 'read':
          events = await this.read(manager, connection, plan.peerUserId, plan.maxId);
          break;
      }
      if (typeof events === 'string') return events;
      await manager.query(`UPDATE ${S}.connections SET last_event_at = now() WHERE id = $1`, [connection.id]);
      await enqueueOutbox(manager, CHANNEL_TELEGRAM_USER_SCHEMA, events);
      return events.length > 0 ? ('published' as const) : ('duplicate' as const);
    });
    if (outcome === 'published') this.deps.relay.notify();
    return outcome;
  }

  private async newMessage(manager: EntityManager, connection: ConnectionRef, message: PlannedMessage): Promise<EventToPublish[] | 'duplicate'> {
    const inserted = (await manager.query(
      `INSERT INTO ${S}.messages (connection_id, message_id, peer_user_id, direction, sent_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING message_id`,
      [connection.id, message.messageId, message.peerUserId, message.direction, message.date],
    )) as unknown[];
    await advanceCursor(manager, connection.id, message.messageId);
    if (inserted.length === 0) return 'duplicate';
    const base = baseOf(connection, message.peerUserId, message.date);
    if (message.direction === 'out') {
      // Sent from the phone or another app, not through the inbox (the inbox's own sends are stored before this runs).
      const data = {
        ...base,
        platformMessageId: String(message.messageId),
        content: message.content,
        ...(message.replyToMessageId !== undefined ? { replyToPlatformMessageId: String(message.replyToMessageId) } : {}),
      };
      return [event(MessageEchoedV1, data, base.chatKey)];
    }
    const peer = await this.peer(manager, connection.id, message.peerUserId);
    const data = {
      ...base,
      platformMessageId: String(message.messageId),
      customer: customerOf(peer, message.peerUserId),
      content: message.content,
      ...(message.replyToMessageId !== undefined ? { replyToPlatformMessageId: String(message.replyToMessageId) } : {}),
      ...(message.mediaGroupId ? { mediaGroupId: message.mediaGroupId } : {}),
    };
    return [event(MessageReceivedV1, data, base.chatKey)];
  }

  /** Only the customer's own, known messages; an edit older than the stored one changes nothing. */
  private async edit(
    manager: EntityManager,
    connection: ConnectionRef,
    message: PlannedMessage,
    editDate: number,
    editedAt: Date,
  ): Promise<EventToPublish[] | 'duplicate' | 'unknown_message'> {
    if (message.direction === 'out') return 'duplicate';
    const rows = await queryRows(
      manager,
      `UPDATE ${S}.messages SET edit_date = $3 WHERE connection_id = $1 AND message_id = $2 AND direction = 'in' AND deleted_at IS NULL
         AND (edit_date IS NULL OR edit_date < $3) RETURNING sent_at`,
      [connection.id, message.messageId, editDate],
    );
    if (rows.length === 0) return (await this.known(manager, connection.id, message.messageId)) ? 'duplicate' : 'unknown_message';
    const peer = await this.peer(manager, connection.id, message.peerUserId);
    const base = baseOf(connection, message.peerUserId, editedAt);
    const data = {
      ...base,
      platformMessageId: String(message.messageId),
      customer: customerOf(peer, message.peerUserId),
      content: message.content,
      editedAt: editedAt.toISOString(),
    };
    return [event(MessageEditedV1, data, base.chatKey)];
  }

  /** Private-chat deletes name ids only: the stored messages say which chat each belonged to. */
  private async delete(manager: EntityManager, connection: ConnectionRef, messageIds: readonly number[]): Promise<EventToPublish[] | 'duplicate'> {
    const rows = await queryRows<{ message_id: string; peer_user_id: string }>(
      manager,
      `UPDATE ${S}.messages SET deleted_at = now() WHERE connection_id = $1 AND message_id = ANY($2::bigint[]) AND direction = 'in' AND deleted_at IS NULL
       RETURNING message_id::text AS message_id, peer_user_id`,
      [connection.id, messageIds],
    );
    if (rows.length === 0) return 'duplicate';
    const now = new Date();
    return rows
      .sort((a, b) => Number(a.message_id) - Number(b.message_id))
      .map((row) => {
        const base = baseOf(connection, row.peer_user_id, now);
        return event(MessageDeletedV1, { ...base, platformMessageId: row.message_id }, base.chatKey);
      });
  }

  /** The customer read our messages up to maxId: one receipt per outgoing message newly covered. */
  private async read(manager: EntityManager, connection: ConnectionRef, peerUserId: string, maxId: number): Promise<EventToPublish[] | 'duplicate'> {
    const moved = await queryRows<{ previous: number }>(
      manager,
      `WITH before AS (SELECT read_outbox_max_id FROM ${S}.peers WHERE connection_id = $1 AND user_id = $2 FOR UPDATE)
       UPDATE ${S}.peers p SET read_outbox_max_id = $3, updated_at = now() FROM before
       WHERE p.connection_id = $1 AND p.user_id = $2 AND before.read_outbox_max_id < $3 RETURNING before.read_outbox_max_id AS previous`,
      [connection.id, peerUserId, maxId],
    );
    if (moved.length === 0) return 'duplicate';
    const rows = (await manager.query(
      `SELECT message_id::text AS message_id FROM ${S}.messages
       WHERE connection_id = $1 AND peer_user_id = $2 AND direction = 'out' AND message_id > $3 AND message_id <= $4
       ORDER BY message_id DESC LIMIT ${MAX_RECEIPTS_PER_READ}`,
      [connection.id, peerUserId, moved[0]!.previous, maxId],
    )) as Array<{ message_id: string }>;
    const now = new Date();
    const base = baseOf(connection, peerUserId, now);
    return rows.reverse().map((row) => event(ReceiptReceivedV1, { ...base, receipt: 'read' as const, platformMessageId: row.message_id }, base.chatKey));
  }

  private async known(manager: EntityManager, connectionId: string, messageId: number): Promise<boolean> {
    const rows = (await manager.query(`SELECT 1 FROM ${S}.messages WHERE connection_id = $1 AND message_id = $2`, [connectionId, messageId])) as unknown[];
    return rows.length > 0;
  }

  private async peer(manager: EntityManager, connectionId: string, userId: string): Promise<PeerRecord | undefined> {
    const rows = (await manager.query(
      `SELECT user_id, access_hash, display_name, username, phone, language_code FROM ${S}.peers WHERE connection_id = $1 AND user_id = $2`,
      [connectionId, userId],
    )) as Array<{ user_id: string; access_hash: string | null; display_name: string; username: string | null; phone: string | null; language_code: string | null }>;
    const row = rows[0];
    return row
      ? { userId: row.user_id, accessHash: row.access_hash, displayName: row.display_name, username: row.username, phone: row.phone, languageCode: row.language_code }
      : undefined;
  }
}

/** Message ids of private chats grow per account: the highest one seen is where the next back-fill starts. */
async function advanceCursor(manager: EntityManager, connectionId: string, messageId: number): Promise<void> {
  await manager.query(`UPDATE ${S}.connections SET last_message_id = GREATEST(COALESCE(last_message_id, 0), $2) WHERE id = $1`, [connectionId, messageId]);
}

function baseOf(connection: ConnectionRef, peerUserId: string, occurredAt: Date) {
  return {
    connection,
    chatKey: chatKeyOf({ connectionId: connection.id, externalChatId: peerUserId }),
    externalChatId: peerUserId,
    occurredAt: occurredAt.toISOString(),
  };
}

function event<TType extends string, TSchema extends z.ZodType>(contract: EventContract<TType, TSchema>, data: z.input<TSchema>, chatKey: string): EventToPublish {
  return { topic: TOPICS.inbound, envelope: createEnvelope(contract, data, { producer: CHANNEL_TELEGRAM_USER_SERVICE, key: chatKey }) };
}
