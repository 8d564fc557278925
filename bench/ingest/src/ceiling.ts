import { CHAT_MIGRATIONS, CHAT_SCHEMA } from '@switchboard/chat';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { Pool } from 'pg';
import { clock } from './percentiles';
import { benchCustomer } from './telegram-updates';

export interface CeilingResult {
  connections: number;
  rows: number;
  rowsPerSecond: number;
}

const CHATS = 200;

/**
 * The ceiling: how fast PostgreSQL alone inserts the chat service's message rows, in `batchSize`-row
 * statements shaped like the ingest's (INSERT ... SELECT FROM unnest ... ON CONFLICT DO NOTHING RETURNING),
 * into the real chat schema (its migrations, so the same indexes), each statement its own transaction.
 * No bus, no HTTP, no other tables: whatever the product reaches is below this.
 */
export async function measureCeiling(options: { databaseUrl: string; rows: number; batchSize: number; connections: readonly number[] }): Promise<{ version: string; results: CeilingResult[] }> {
  await migrateSchema(createServiceDataSource({ url: options.databaseUrl, schema: CHAT_SCHEMA, migrations: CHAT_MIGRATIONS, poolSize: 1 }), CHAT_SCHEMA);
  const pool = new Pool({ connectionString: options.databaseUrl, max: Math.max(...options.connections) });
  pool.on('error', () => undefined);
  try {
    const version = ((await pool.query<{ v: string }>(`SELECT split_part(version(), ' on ', 1) AS v`)).rows[0]?.v ?? '?').replace(/ \(.*$/, '');
    const chatIds = await seedChats(pool);
    const results: CeilingResult[] = [];
    for (const connections of options.connections) {
      await pool.query('TRUNCATE chat.messages');
      await insertRows(pool, chatIds, 'warmup', Math.min(options.rows, options.batchSize * 4), options.batchSize, connections);
      const started = clock();
      await insertRows(pool, chatIds, `c${connections}`, options.rows, options.batchSize, connections);
      results.push({ connections, rows: options.rows, rowsPerSecond: options.rows / ((clock() - started) / 1000) });
    }
    return { version, results };
  } finally {
    await pool.end();
  }
}

async function seedChats(pool: Pool): Promise<string[]> {
  const connectionId = '00000000-0000-4000-8000-000000000001';
  const customers = Array.from({ length: CHATS }, (_, i) => benchCustomer(i));
  await pool.query(
    `INSERT INTO chat.customers (connection_id, channel, external_id, display_name, username)
     SELECT $1, 'telegram', e, d, u FROM unnest($2::text[], $3::text[], $4::text[]) AS r(e, d, u)`,
    [connectionId, customers.map((c) => String(c.id)), customers.map((c) => `${c.firstName} ${c.lastName}`), customers.map((c) => c.username)],
  );
  const rows = await pool.query<{ id: string }>(
    `INSERT INTO chat.chats (number, chat_key, channel, connection_id, connection_display_name, external_chat_id, customer_id, status_code)
     SELECT row_number() OVER (), $1 || ':' || c.external_id, 'telegram', $1::uuid, '@bench', c.external_id, c.id, 'new' FROM chat.customers c
     RETURNING id`,
    [connectionId],
  );
  return rows.rows.map((r) => r.id);
}

/** `rows` rows in batches over `connections` concurrent connections; each batch is one statement. */
async function insertRows(pool: Pool, chatIds: string[], prefix: string, rows: number, batchSize: number, connections: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < rows) {
      const first = next;
      const size = Math.min(batchSize, rows - first);
      next += size;
      const batch = Array.from({ length: size }, (_, i) => first + i);
      const sentAt = new Date().toISOString();
      await pool.query(
        `INSERT INTO chat.messages (chat_id, direction, platform_message_id, text, attachments, location, contact, placeholder, raw,
                                    reply_to_platform_message_id, media_group_id, sent_at)
         SELECT chat_id, 'inbound', pmid, txt, att::jsonb, loc::jsonb, con::jsonb, ph, raw::jsonb, reply, grp, t
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
           WITH ORDINALITY AS r(chat_id, pmid, txt, att, loc, con, ph, raw, reply, grp, t, ord)
         ORDER BY ord
         ON CONFLICT (chat_id, direction, platform_message_id) DO NOTHING
         RETURNING id, chat_id, platform_message_id, sent_at`,
        [
          batch.map((n) => chatIds[n % chatIds.length]),
          batch.map((n) => `${prefix}-${n}`),
          batch.map((n) => `#${n} Добрий день! Де моє замовлення?`),
          batch.map(() => '[]'),
          batch.map(() => null),
          batch.map(() => null),
          batch.map(() => null),
          batch.map(() => null),
          batch.map(() => null),
          batch.map(() => null),
          batch.map(() => sentAt),
        ],
      );
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
}
