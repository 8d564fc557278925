import { Client } from 'pg';

export interface StoredInboundMessage {
  /** The platform chat id (the Telegram customer's id for private chats). */
  externalChatId: string;
  platformMessageId: string;
  text: string | null;
}

/**
 * Reads the chat service's own tables (schema `chat`) directly, to check what was stored independent of
 * the GraphQL layer. Messages come back per chat in timeline order: sent_at, then seq (the order the
 * chat query and its cursor use).
 */
export class ChatDatabase {
  private constructor(private readonly client: Client) {}

  static async connect(databaseUrl: string): Promise<ChatDatabase> {
    const client = new Client({ connectionString: databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    return new ChatDatabase(client);
  }

  /** 0 until the chat service created its schema. */
  async inboundCount(): Promise<number> {
    const exists = await this.client.query<{ t: string | null }>(`SELECT to_regclass('chat.messages')::text AS t`);
    if (!exists.rows[0]?.t) return 0;
    const { rows } = await this.client.query<{ n: string }>(`SELECT count(*) AS n FROM chat.messages WHERE direction = 'inbound'`);
    return Number(rows[0]!.n);
  }

  async inboundTimelines(): Promise<Map<string, StoredInboundMessage[]>> {
    const { rows } = await this.client.query<{ external_chat_id: string; platform_message_id: string; text: string | null }>(
      `SELECT c.external_chat_id, m.platform_message_id, m.text
         FROM chat.messages m JOIN chat.chats c ON c.id = m.chat_id
        WHERE m.direction = 'inbound'
        ORDER BY c.external_chat_id, m.sent_at, m.seq`,
    );
    const timelines = new Map<string, StoredInboundMessage[]>();
    for (const row of rows) {
      const list = timelines.get(row.external_chat_id) ?? [];
      list.push({ externalChatId: row.external_chat_id, platformMessageId: row.platform_message_id, text: row.text });
      timelines.set(row.external_chat_id, list);
    }
    return timelines;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
