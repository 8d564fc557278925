/**
 * The set-based SQL that generates the inbox: one planning table with every chat's attributes, then
 * customers, chats and messages derived from it with INSERT ... SELECT. Everything random comes from
 * hashes of the row number (hashint8extended), so a reseed produces the same data.
 *
 * Parameters shared by the statements: see `planSql` etc. The helper tables live in schema bench_seed
 * (dropped at the end of the seed).
 */

/** A uniform number in [0, 1) from a hash of `expr` and `salt`: deterministic per row. */
export const R = (expr: string, salt: number) => `((hashint8extended((${expr})::bigint, ${salt}) & 2147483647)::float8 / 2147483648.0)`;

/** 0 = uk, 1 = ru, 2 = en, as in LANGUAGES. A Ukrainian chat sometimes switches to Russian and back. */
const messageLang = (x: string, chatLang: string) =>
  `(CASE ${chatLang} WHEN 0 THEN (CASE WHEN ${R(x, 13)} < 0.15 THEN 1 ELSE 0 END)
                    WHEN 1 THEN (CASE WHEN ${R(x, 13)} < 0.10 THEN 0 ELSE 1 END) ELSE 2 END)`;

/**
 * The text of message `x` from vocabulary row `v` (v.phrases, v.n, v.cities, v.nc) and the product list
 * $products: one phrase, sometimes two, skewed to the common ones, with placeholders filled in.
 */
function messageText(x: string, v: string, products: string, productCount: string): string {
  const phrase = (salt: number) => `${v}.phrases[1 + floor(${v}.n * power(${R(x, salt)}, 1.6))::int]`;
  return `replace(replace(replace(replace(
      ${phrase(21)} || CASE WHEN ${R(x, 22)} < 0.35 THEN ' ' || ${phrase(23)} ELSE '' END,
      '{product}', (${products})[1 + floor(${productCount} * power(${R(x, 24)}, 3))::int]),
      '{order}', (100000 + floor(${R(x, 25)} * 900000))::int::text),
      '{ttn}', '20450' || lpad(floor(${R(x, 26)} * 1000000000)::bigint::text, 9, '0')),
      '{city}', ${v}.cities[1 + floor(${v}.nc * ${R(x, 27)})::int])`;
}

/** Message k of chat i is row x = i * 32 + k (a chat has at most 19 messages). */
const messageKey = (i: string, k: string) => `(${i}::bigint * 32 + ${k})`;

export const HELPER_TABLES = [
  `DROP SCHEMA IF EXISTS bench_seed CASCADE`,
  `CREATE SCHEMA bench_seed`,
  `CREATE TABLE bench_seed.connections (idx int PRIMARY KEY, id uuid NOT NULL, channel text NOT NULL, display_name text NOT NULL)`,
  `CREATE TABLE bench_seed.conn_members (conn int PRIMARY KEY, members uuid[] NOT NULL, n int NOT NULL)`,
  `CREATE TABLE bench_seed.vocab (lang int, role int, phrases text[] NOT NULL, n int NOT NULL, cities text[] NOT NULL, nc int NOT NULL, PRIMARY KEY (lang, role))`,
  `CREATE TABLE bench_seed.names (lang int PRIMARY KEY, first text[] NOT NULL, first_latin text[] NOT NULL, last text[] NOT NULL)`,
];

/**
 * One row per chat: $1 chats, $2 connection thresholds (cumulative share where each connection starts),
 * $3 all operator ids, $4 the admin's id, $5 the "now" the year of activity ends at.
 * Statuses: new 20%, in progress 30%, completed 50%; unanswered ~30% (mostly open chats); 60% have
 * operators (1, sometimes 2, almost always members of the chat's connection).
 */
export const PLAN_SQL = `
CREATE UNLOGGED TABLE bench_seed.plan AS
SELECT b.i, b.chat_id, b.customer_id, b.conn, b.lang, b.msg_count, b.created_at,
       LEAST($5::timestamptz, b.created_at + interval '1 minute' + power(${R('b.i', 4)}, 3) * interval '30 days') AS last_at,
       b.status,
       (b.msg_count = 1 OR ${R('b.i', 6)} < CASE b.status WHEN 'new' THEN 0.6 WHEN 'in_progress' THEN 0.35 ELSE 0.06 END) AS unanswered,
       CASE WHEN ${R('b.i', 7)} < CASE b.status WHEN 'new' THEN 0.3 WHEN 'in_progress' THEN 0.95 ELSE 0.55 END THEN
         array_remove(ARRAY[
           o.op1,
           CASE WHEN ${R('b.i', 11)} < 0.25 AND o.op2 <> o.op1 THEN o.op2 END,
           CASE WHEN ${R('b.i', 12)} < 0.001 THEN $4::uuid END], NULL)
       ELSE '{}'::uuid[] END AS operator_ids
FROM (
  SELECT g.i,
         md5('chat:' || g.i)::uuid AS chat_id,
         md5('customer:' || g.i)::uuid AS customer_id,
         width_bucket(${R('g.i', 1)}, $2::float8[]) - 1 AS conn,
         CASE WHEN ${R('g.i', 2)} < 0.5 THEN 0 WHEN ${R('g.i', 2)} < 0.8 THEN 1 ELSE 2 END AS lang,
         CASE WHEN g.i % 2 = 1 THEN 10 + floor(${R('(g.i + 1) / 2', 3)} * 10)::int ELSE 10 - floor(${R('(g.i + 1) / 2', 3)} * 10)::int END AS msg_count,
         $5::timestamptz - interval '395 days' + ((g.i - 1)::float8 / $1) * interval '365 days' AS created_at,
         CASE WHEN ${R('g.i', 5)} < 0.2 THEN 'new' WHEN ${R('g.i', 5)} < 0.5 THEN 'in_progress' ELSE 'completed' END AS status
  FROM generate_series(1, $1::int) AS g(i)
) b
JOIN bench_seed.conn_members cm ON cm.conn = b.conn
CROSS JOIN LATERAL (SELECT
  CASE WHEN ${R('b.i', 9)} < 0.95 THEN cm.members[1 + floor(cm.n * ${R('b.i', 8)})::int] ELSE ($3::uuid[])[1 + floor(cardinality($3::uuid[]) * ${R('b.i', 8)})::int] END AS op1,
  cm.members[1 + floor(cm.n * ${R('b.i', 10)})::int] AS op2) o`;

/** $1 language codes in LANGUAGES order. Half the customers have a username, 30% a phone number. */
export const CUSTOMERS_SQL = `
INSERT INTO chat.customers (id, connection_id, channel, external_id, display_name, username, phone, language_code, created_at, updated_at)
SELECT p.customer_id, c.id, c.channel, (100000000 + p.i)::text,
       n.first[1 + f.fi] || ' ' || n.last[1 + floor(cardinality(n.last) * ${R('p.i', 31)})::int],
       CASE WHEN ${R('p.i', 32)} < 0.5 THEN n.first_latin[1 + f.fi] || '_' || (p.i % 9973) END,
       CASE WHEN ${R('p.i', 33)} < 0.3 THEN '+380' || lpad(floor(${R('p.i', 34)} * 1000000000)::bigint::text, 9, '0') END,
       ($1::text[])[1 + p.lang], p.created_at, p.created_at
FROM bench_seed.plan p
JOIN bench_seed.connections c ON c.idx = p.conn
JOIN bench_seed.names n ON n.lang = p.lang
CROSS JOIN LATERAL (SELECT floor(cardinality(n.first) * ${R('p.i', 30)})::int AS fi) f`;

/**
 * $1 products. The preview is the last message's text, as the product's messagePreview() makes it. The
 * customer's search text is what the trigger of migration 0009 would copy (the load runs without triggers).
 */
export const CHATS_SQL = `
INSERT INTO chat.chats (id, number, chat_key, channel, connection_id, connection_display_name, external_chat_id, customer_id, status_code,
                        unanswered, last_message_at, last_message_preview, last_message_direction, created_at, updated_at, operator_ids,
                        customer_search)
SELECT p.chat_id, p.i, c.id || ':' || (100000000 + p.i), c.channel, c.id, c.display_name, (100000000 + p.i)::text, p.customer_id, p.status,
       p.unanswered, p.last_at,
       CASE WHEN length(t.text) > 140 THEN left(t.text, 139) || '…' ELSE t.text END,
       CASE WHEN p.unanswered THEN 'inbound' ELSE 'outbound' END, p.created_at, p.last_at, p.operator_ids,
       chat.customer_search_text(cu.display_name, cu.username, cu.phone)
FROM bench_seed.plan p
JOIN bench_seed.connections c ON c.idx = p.conn
JOIN chat.customers cu ON cu.id = p.customer_id
CROSS JOIN LATERAL (SELECT ${messageKey('p.i', 'p.msg_count')} AS x) k
JOIN bench_seed.vocab v ON v.lang = ${messageLang('k.x', 'p.lang')} AND v.role = CASE WHEN p.unanswered THEN 0 ELSE 1 END
CROSS JOIN LATERAL (SELECT ${messageText('k.x', 'v', '$1::text[]', 'cardinality($1::text[])')} AS text) t`;

/**
 * $1 products, $2 all operator ids. Message 1 is the customer's, the last one decides "unanswered", the
 * ones between are 55% customer / 45% operator with 2% internal notes; sent_at spreads them from the
 * chat's creation to its last activity. Inserted in time order, as they would have arrived (seq follows).
 */
export const MESSAGES_SQL = `
INSERT INTO chat.messages (id, chat_id, kind, direction, platform_message_id, text, author_employee_id, delivery_state, sent_at, created_at)
SELECT gen_random_uuid(), s.chat_id, s.kind, s.direction, CASE WHEN s.kind = 'message' THEN s.k::text END,
       ${messageText('s.x', 'v', '$1::text[]', 'cardinality($1::text[])')},
       CASE WHEN s.role = 1 THEN COALESCE(s.operator_ids[1], ($2::uuid[])[1 + floor(cardinality($2::uuid[]) * ${R('s.x', 14)})::int]) END,
       CASE WHEN s.direction = 'outbound' THEN (CASE WHEN ${R('s.x', 15)} < 0.7 THEN 'read' WHEN ${R('s.x', 15)} < 0.95 THEN 'delivered' ELSE 'sent' END) END,
       s.sent_at, s.sent_at
FROM (
  SELECT d.*, CASE WHEN d.direction = 'inbound' THEN 0 ELSE 1 END AS role
  FROM (
    SELECT p.chat_id, p.lang, p.operator_ids, g.k, k.x,
           CASE WHEN p.msg_count = 1 THEN p.last_at
                ELSE p.created_at + (p.last_at - p.created_at) * ((g.k - 1)::float8 / (p.msg_count - 1)) END AS sent_at,
           CASE WHEN g.k > 1 AND g.k < p.msg_count AND ${R('k.x', 12)} < 0.02 THEN 'note' ELSE 'message' END AS kind,
           CASE WHEN g.k > 1 AND g.k < p.msg_count AND ${R('k.x', 12)} < 0.02 THEN NULL
                WHEN g.k = 1 THEN 'inbound'
                WHEN g.k = p.msg_count THEN (CASE WHEN p.unanswered THEN 'inbound' ELSE 'outbound' END)
                WHEN ${R('k.x', 11)} < 0.55 THEN 'inbound' ELSE 'outbound' END AS direction
    FROM bench_seed.plan p
    CROSS JOIN LATERAL generate_series(1, p.msg_count) AS g(k)
    CROSS JOIN LATERAL (SELECT ${messageKey('p.i', 'g.k')} AS x) k
  ) d
) s
JOIN bench_seed.vocab v ON v.lang = ${messageLang('s.x', 's.lang')} AND v.role = s.role
ORDER BY s.sent_at`;

/** Operators have read their chats up to their own last reply (so unanswered chats show unread messages). */
export const CHAT_READS_SQL = `
INSERT INTO chat.chat_reads (chat_id, employee_id, last_read_seq, read_at)
SELECT m.chat_id, op.id, max(m.seq), max(m.sent_at)
FROM chat.messages m
JOIN chat.chats c ON c.id = m.chat_id
CROSS JOIN LATERAL unnest(c.operator_ids) AS op(id)
WHERE m.direction = 'outbound'
GROUP BY m.chat_id, op.id`;
