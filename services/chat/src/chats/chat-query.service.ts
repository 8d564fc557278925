import type { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor } from './cursor';

export interface ChatRecord {
  id: string;
  number: string;
  channel: string;
  connection_id: string;
  connection_display_name: string;
  external_chat_id: string;
  status_code: string;
  status_name: string;
  status_is_closed: boolean;
  unanswered: boolean;
  last_message_at: Date | null;
  last_message_preview: string | null;
  last_message_direction: string | null;
  created_at: Date;
  customer_id: string;
  customer_display_name: string;
  customer_username: string | null;
  customer_phone: string | null;
  customer_profile_url: string | null;
}

export interface MessageRecord {
  id: string;
  seq: string;
  chat_id: string;
  direction: 'inbound' | 'outbound';
  platform_message_id: string | null;
  text: string | null;
  attachments: unknown[];
  location: unknown;
  contact: unknown;
  placeholder: string | null;
  reply_to_platform_message_id: string | null;
  reactions: string[];
  author_employee_id: string | null;
  delivery_state: string | null;
  failure_code: string | null;
  failure_message: string | null;
  sent_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
}

export interface Page<T> {
  items: T[];
  cursors: string[];
  hasNextPage: boolean;
}

const CHAT_COLUMNS = `c.id, c.number, c.channel, c.connection_id, c.connection_display_name, c.external_chat_id,
  c.status_code, s.name AS status_name, s.is_closed AS status_is_closed, c.unanswered, c.last_message_at,
  c.last_message_preview, c.last_message_direction, c.created_at, cu.id AS customer_id,
  cu.display_name AS customer_display_name, cu.username AS customer_username, cu.phone AS customer_phone,
  cu.profile_url AS customer_profile_url`;
const CHAT_FROM = `chat.chats c JOIN chat.customers cu ON cu.id = c.customer_id JOIN chat.statuses s ON s.code = c.status_code`;
// Chats with no activity yet sort last; epoch stands in for NULL so the keyset comparison stays total.
const ACTIVITY = `COALESCE(c.last_message_at, 'epoch'::timestamptz)`;

export class ChatQueryService {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest activity first (L7), keyset-paged. */
  async listChats(params: { first: number; after?: string | undefined }): Promise<Page<ChatRecord>> {
    const args: unknown[] = [params.first + 1];
    let where = '';
    if (params.after) {
      const [time, id] = decodeCursor(params.after, 2);
      args.push(time, id);
      where = `WHERE (${ACTIVITY}, c.id) < ($2::timestamptz, $3::uuid)`;
    }
    const rows = (await this.dataSource.query(
      `SELECT ${CHAT_COLUMNS} FROM ${CHAT_FROM} ${where} ORDER BY ${ACTIVITY} DESC, c.id DESC LIMIT $1`,
      args,
    )) as ChatRecord[];
    return page(rows, params.first, (r) => [new Date(r.last_message_at ?? 0).toISOString(), r.id]);
  }

  async totalChats(): Promise<number> {
    const rows = (await this.dataSource.query(`SELECT count(*)::int AS n FROM chat.chats`)) as { n: number }[];
    return rows[0]?.n ?? 0;
  }

  async getChat(id: string): Promise<ChatRecord | undefined> {
    const rows = (await this.dataSource.query(`SELECT ${CHAT_COLUMNS} FROM ${CHAT_FROM} WHERE c.id = $1`, [id])) as ChatRecord[];
    return rows[0];
  }

  /** A chat's timeline, newest first, keyset-paged by (platform time, arrival order). */
  async listMessages(params: { chatId: string; first: number; after?: string | undefined }): Promise<Page<MessageRecord>> {
    const args: unknown[] = [params.chatId, params.first + 1];
    let where = '';
    if (params.after) {
      const [time, seq] = decodeCursor(params.after, 2);
      args.push(time, seq);
      where = `AND (m.sent_at, m.seq) < ($3::timestamptz, $4::bigint)`;
    }
    const rows = (await this.dataSource.query(
      `SELECT m.* FROM chat.messages m WHERE m.chat_id = $1 ${where} ORDER BY m.sent_at DESC, m.seq DESC LIMIT $2`,
      args,
    )) as MessageRecord[];
    return page(rows, params.first, (r) => [new Date(r.sent_at).toISOString(), r.seq]);
  }
}

function page<T>(rows: T[], first: number, cursorOf: (row: T) => (string | number)[]): Page<T> {
  const items = rows.slice(0, first);
  return { items, cursors: items.map((r) => encodeCursor(cursorOf(r))), hasNextPage: rows.length > first };
}
