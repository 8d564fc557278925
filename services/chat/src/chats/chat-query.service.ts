import type { DataSource } from 'typeorm';
import { operatorFilterSlices, visibleChatCondition, visibleChatSlices, type Viewer, type VisibleSlice } from '../access/viewer';
import { unreadCountSql } from '../reads/read-state.service';
import { chatSearchAlternatives, chatSearchCondition, type SearchAlternative } from '../search/search-sql';
import { searchTerms } from '../search/search-terms';
import { decodeCursor, encodeCursor } from './cursor';

/** L2 "Тип чату". */
export type ChatListType = 'all' | 'unassigned' | 'assigned_to_me' | 'unanswered';

/** The chat list filters (L1-L4, L6): filters AND together, choices inside one filter OR. */
export interface ChatListFilter {
  channels?: string[] | undefined;
  type?: ChatListType | undefined;
  operatorIds?: string[] | undefined;
  statusCodes?: string[] | undefined;
  /** L5 "Пошук": keywords in messages and notes, the customer's name, username or phone, or the chat number. */
  search?: string | undefined;
}

export interface ChatListCounts {
  all: number;
  unassigned: number;
  assignedToMe: number;
  unanswered: number;
}

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
  status_position: number;
  unanswered: boolean;
  last_message_at: Date;
  last_message_preview: string | null;
  last_message_direction: string | null;
  created_at: Date;
  customer_id: string;
  customer_display_name: string;
  customer_username: string | null;
  customer_phone: string | null;
  customer_profile_url: string | null;
  operator_ids: string[];
  unread_count: number;
}

export interface MessageRecord {
  id: string;
  seq: string;
  chat_id: string;
  kind: 'message' | 'note' | 'activity';
  direction: 'inbound' | 'outbound' | null;
  activity: Record<string, unknown> | null;
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
  c.status_code, s.name AS status_name, s.is_closed AS status_is_closed, s.position AS status_position, c.unanswered, c.last_message_at,
  c.last_message_preview, c.last_message_direction, c.created_at, cu.id AS customer_id,
  cu.display_name AS customer_display_name, cu.username AS customer_username, cu.phone AS customer_phone,
  cu.profile_url AS customer_profile_url, c.operator_ids`;
const CHAT_FROM = `chat.chats c JOIN chat.customers cu ON cu.id = c.customer_id JOIN chat.statuses s ON s.code = c.status_code`;
// Exactly the chats_activity_idx key, so a page walks the index instead of sorting every visible chat.
const ACTIVITY = `c.last_message_at`;
/**
 * From this many chats with a matching message (the planner's estimate), a keyword page walks the visible
 * chats newest first and probes each (about 60 x all chats / matching chats of them, ~7 µs each, index-only,
 * decision 0054); under a tenth of it, it starts from the trigram index (about 10 µs per match); between,
 * a bounded walk first (messageRarity). SEARCH_RARE_WORD_CHATS overrides it.
 */
export const DEFAULT_RARE_WORD_CHATS = 10_000;
/**
 * How many of the newest visible chats an `uncertain` keyword page probes before reading every match from
 * the trigram index: keywords in 1% of chats fill a 60-chat page within it (~6,000 index-only probes, ~40 ms
 * at 1M chats, decision 0054).
 */
const BOUNDED_WALK_CHATS = 6000;

export class ChatQueryService {
  /** Connection id -> its channel: fixed for the connection's life, so learnt once. */
  private readonly connectionChannels = new Map<string, string>();

  private readonly rareWordChats: number;

  constructor(
    private readonly dataSource: DataSource,
    options: { rareWordChats?: number | undefined } = {},
  ) {
    this.rareWordChats = options.rareWordChats ?? DEFAULT_RARE_WORD_CHATS;
  }

  /** Newest activity first (L7), keyset-paged, only chats the viewer may see, with the viewer's unread count. */
  async listChats(viewer: Viewer, params: { filter: ChatListFilter; first: number; after?: string | undefined }): Promise<Page<ChatRecord>> {
    const args: unknown[] = [params.first + 1, viewer.employeeId];
    const newest = await this.newestIds(viewer, params.filter, args, { limit: '$1', me: '$2::uuid', after: params.after });
    if (!newest) return { items: [], cursors: [], hasNextPage: false };
    // One page over chats: its conditions go straight into the statement. Several: the newest `first + 1`
    // of their union are picked by the (id, activity) pairs the walks return, and only those chats are
    // joined to their customer and status (not every walk's page).
    const rows = (await this.dataSource.query(
      'where' in newest
        ? `SELECT ${CHAT_COLUMNS}, ${unreadCountSql('c', '$2::uuid')} AS unread_count
           FROM ${CHAT_FROM} WHERE ${newest.where} ORDER BY ${ACTIVITY} DESC, c.id DESC LIMIT $1`
        : `SELECT ${CHAT_COLUMNS}, ${unreadCountSql('c', '$2::uuid')} AS unread_count
           FROM (${newest.ids}) AS page JOIN ${CHAT_FROM} ON c.id = page.id ORDER BY ${ACTIVITY} DESC, c.id DESC`,
      args,
    )) as ChatRecord[];
    return page(rows, params.first, (r) => [new Date(r.last_message_at).toISOString(), r.id]);
  }

  /**
   * The ids of the `limit` newest visible chats whose customer's name, username or phone contains every
   * term of `query` (search's customer candidates), newest first, walked like a list page.
   */
  async customerMatchIds(viewer: Viewer, query: string, limit: number): Promise<string[]> {
    return this.searchMatchIds(viewer, query, limit, 'customer');
  }

  /**
   * The ids of the `limit` newest visible chats with a message or note containing every term of `query`
   * (search's message candidates), newest first, walked like a list page: the planner starts from the
   * trigram index for a rare word, or walks the activity index and probes each chat's timeline for a common one.
   */
  async messageMatchIds(viewer: Viewer, query: string, limit: number): Promise<string[]> {
    return this.searchMatchIds(viewer, query, limit, 'message');
  }

  private async searchMatchIds(viewer: Viewer, query: string, limit: number, via: SearchAlternative['via']): Promise<string[]> {
    const args: unknown[] = [limit];
    const newest = await this.newestIds(viewer, { search: query }, args, { limit: '$1', searchVia: via });
    if (!newest) return [];
    const sql = 'where' in newest ? `SELECT c.id FROM chat.chats c WHERE ${newest.where} ORDER BY ${ACTIVITY} DESC, c.id DESC LIMIT $1` : newest.ids;
    return ((await this.dataSource.query(sql, args)) as { id: string }[]).map((r) => r.id);
  }

  /**
   * The newest `limit` visible chats matching `filter`, after the cursor: either conditions on chat `c`
   * (one page over chats, ordered by ACTIVITY) or an SQL statement of their ids in order (`id` column).
   * `args` already holds the parameters `limit` and `me` (the viewer's id; needed only for "assigned to
   * me") refer to; `searchVia` keeps one way of matching the keywords (search's customer candidates).
   * Undefined when nothing can match.
   */
  private async newestIds(
    viewer: Viewer,
    filter: ChatListFilter,
    args: unknown[],
    options: { limit: string; me?: string; after?: string | undefined; searchVia?: SearchAlternative['via'] },
  ): Promise<{ where: string } | { ids: string } | undefined> {
    const { limit, after, searchVia } = options;
    const param = (value: unknown, type: string) => {
      args.push(value);
      return `$${args.length}::${type}`;
    };
    const me = () => (options.me ??= param(viewer.employeeId, 'uuid'));
    const connections = await this.connectionsFor(viewer, filter.channels);
    const type = filter.type ?? 'all';
    const operatorIds = filter.operatorIds?.length ? [...new Set(filter.operatorIds)] : undefined;

    // Which rows a page walks (decision 0024). Chats of given operators, or of the caller, walk their
    // chat_operators rows newest-first and stop after a page; everything else walks a chats activity index.
    // "Unassigned" and "one of these operators" exclude each other.
    if (type === 'unassigned' && operatorIds) return undefined;
    // A chat matches keywords through a message, its customer or its number. One OR of the three would
    // make PostgreSQL compute every match of a common word before returning the first page, so each is a page.
    const matches = filter.search ? chatSearchAlternatives(filter.search, args, searchVia) : [undefined];
    // An operator's message matches walk their slices merged (see below) when the slices are disjoint
    // (not for an operator filter, whose employees' slices overlap where a chat has two of them) and the
    // keywords are common: a rare word is cheapest from the trigram index, a plan the merged walk cannot
    // take, while one walk over everything visible lets the planner choose it.
    const rarity = filter.search !== undefined && matches.some((match) => match?.via === 'message') ? await this.messageRarity(filter.search) : undefined;
    const mergeable = !viewer.isAdmin && !operatorIds;
    const mergesMessageWalk = mergeable && rarity === 'common';
    // Keywords whose count the estimate cannot settle: the page first walks a bounded number of the newest
    // chats, probing each; only when that finds less than a page does it read every match from the trigram
    // index.
    const walksBounded = rarity === 'uncertain';
    // Only the customer way of matching, the merged message walks and no keywords at all walk the slices;
    // their parameters are added only then (an unused parameter has no type to bind).
    const walksSlices = (mergeable && (mergesMessageWalk || walksBounded)) || matches.some((match) => !match || match.via === 'customer');
    let slices: VisibleSlice[] = [];
    let channelPerSlice = false;
    if (!walksSlices) {
      // The message and number pages apply visibility themselves (visibleChatCondition below).
    } else if (type === 'assigned_to_me') {
      // Every chat the caller operates is visible to them, admin or not.
      slices = [{ kind: 'operator', employee: me(), condition: 'TRUE' }];
    } else if (operatorIds) {
      slices = operatorFilterSlices(viewer, args, operatorIds, connections);
    } else if (viewer.isAdmin && filter.channels?.length) {
      // One walk of chats_channel_activity_idx per channel, not the global index skipping other channels.
      channelPerSlice = true;
      slices = [...new Set(filter.channels)].map((channel) => ({ kind: 'chats', condition: `c.channel = ${param(channel, 'text')}`, covered: true }));
    } else {
      // An unassigned chat has no operator, so it is never among the viewer's own chats.
      slices = visibleChatSlices(viewer, args, connections, type !== 'unassigned');
    }
    // The slices are everything visible that the filters can match.
    if (walksSlices && slices.length === 0) return undefined;

    // Filters on the columns chat_operators copies are written against whichever table a slice walks, so
    // they are checked in the index before any chat row is read (chats_connection_activity_idx and
    // chats_channel_activity_idx include them too, migration 0009).
    // (Not repeated where each slice is one channel: the planner would multiply the two selectivities and
    // take a 1.5% channel for a 0.02% one.)
    const channels = filter.channels?.length && !channelPerSlice ? param(filter.channels, 'text[]') : undefined;
    const statuses = filter.statusCodes?.length ? param(filter.statusCodes, 'text[]') : undefined;
    const copied = (a: string) => [
      ...(channels ? [`${a}.channel = ANY(${channels})`] : []),
      ...(statuses ? [`${a}.status_code = ANY(${statuses})`] : []),
      ...(type === 'unanswered' ? [`${a}.unanswered`] : []),
    ];
    // The operator filter holds by construction in the walks of the filtered operators' own rows; its
    // parameter is added only when some slice needs it (an unused parameter has no type to bind).
    let operatorFilter: string | undefined;
    const operatorCondition = (slice: VisibleSlice) => {
      if (!operatorIds || (slice.kind === 'operator' && slice.ofFilter)) return [];
      operatorFilter ??= `c.operator_ids && ${param(operatorIds, 'uuid[]')}`;
      return [operatorFilter];
    };
    const chatOnly = (slice: VisibleSlice) => [
      ...operatorCondition(slice),
      // Not cardinality(...) = 0: the planner has statistics for the column (an empty array is its most
      // common value), none for the expression, and would guess 0.5% of chats instead of ~40%.
      ...(type === 'unassigned' ? [`c.operator_ids = '{}'::uuid[]`] : []),
    ];
    let cursor: ((time: string, id: string) => string) | undefined;
    if (after) {
      const [time, id] = decodeCursor(after, 2);
      const t = param(time, 'timestamptz');
      const i = param(id, 'uuid');
      cursor = (timeColumn, idColumn) => `(${timeColumn}, ${idColumn}) < (${t}, ${i})`;
    }
    const typeOnChat = type === 'assigned_to_me' ? [`c.operator_ids @> ARRAY[${me()}]`] : [];
    let visible: string | undefined;
    // The chats `c` the viewer may see that every filter allows, for a walk that checks visibility itself.
    const visibleWhere = (...extra: string[]) => {
      visible ??= visibleChatCondition(viewer, args, 'c', connections);
      return [visible, ...extra, ...copied('c'), ...chatOnly({ kind: 'chats', condition: 'TRUE' }), ...typeOnChat, ...(cursor ? [cursor(ACTIVITY, 'c.id')] : [])];
    };
    // Each slice's rows as (id, at), newest first once ordered by `order`.
    const sliceWalk = (slice: VisibleSlice, extra: string[]) => {
      const onChat = [...chatOnly(slice), ...extra];
      if (slice.kind === 'chats') {
        const filters = [...onChat, ...copied('c')];
        const where = [slice.condition, ...filters, ...(cursor ? [cursor(ACTIVITY, 'c.id')] : [])];
        return { where, ofChats: true, indexOnly: filters.length > 0 && slice.covered === true, select: `SELECT c.id, ${ACTIVITY} AS at FROM chat.chats c WHERE ${where.join(' AND ')}`, order: `ORDER BY ${ACTIVITY} DESC, c.id DESC` };
      }
      const where = [`o.employee_id = ${slice.employee}`, slice.condition, ...copied('o'), ...(cursor ? [cursor('o.last_message_at', 'o.chat_id')] : []), ...onChat];
      // Joined to the chat only when a condition needs more than chat_operators copies: then an index-only walk.
      const from = onChat.length > 0 ? `chat.chat_operators o JOIN chat.chats c ON c.id = o.chat_id` : `chat.chat_operators o`;
      return { where, ofChats: false, indexOnly: true, select: `SELECT o.chat_id AS id, o.last_message_at AS at FROM ${from} WHERE ${where.join(' AND ')}`, order: `ORDER BY o.last_message_at DESC, o.chat_id DESC` };
    };
    const slicePages = (extra: string[]) =>
      slices.map((slice) => {
        const walk = sliceWalk(slice, extra);
        return { where: walk.where, ofChats: walk.ofChats, indexOnly: walk.indexOnly, sql: `${walk.select} ${walk.order} LIMIT ${limit}` };
      });

    // One newest-first page per slice and way of matching, each planned on its own, then the page of
    // their union: the same rows as one query over the union, but each part starts from the index that
    // suits it (a connection's or channel's activity index, an operator's chat_operators rows, a rare
    // word's trigram index) instead of walking every chat when the filters leave few.
    const pages = matches.flatMap((match) => {
      if (!match) return slicePages([]);
      // The customer's text is a column of the chat (and of chats_connection_activity_idx): each slice
      // walks its own index filtering on it, index-only for a connection, or starts from
      // chats_customer_search_idx for a rare name; one walk over everything visible would skip the other
      // connections' chats ("Коваль", 3.5% of customers: ~6,000 chats read per page for an operator).
      if (match.via === 'customer') return slicePages([match.condition]);
      // Everything visible that the filters allow, newest first, as (id, at) rows: for an operator the
      // slices' walks as one UNION ALL ordered by activity, which PostgreSQL runs as a Merge Append of their
      // index-only walks (one walk over everything visible read every chat row it passed to check
      // visibility, chats_activity_idx holding no connection: 10-20 for each visible one). Each leg carries
      // its own ORDER BY: a leg with a WHERE is planned as a subquery of its own (it cannot join the UNION's
      // append relation), and without one its walk has no order to merge by.
      const visibleWalk = () => {
        if (mergeable) return `(${slices.map((slice) => { const walk = sliceWalk(slice, []); return `(${walk.select} ${walk.order})`; }).join(' UNION ALL ')})`;
        return `(SELECT c.id, ${ACTIVITY} AS at FROM chat.chats c WHERE ${visibleWhere().join(' AND ')} ORDER BY ${ACTIVITY} DESC, c.id DESC)`;
      };
      // An operator's common word: the merged walk with the match on top, probing each chat newest first
      // (index-only, decision 0054), stopping after `limit` matches.
      if (match.via === 'message' && mergesMessageWalk) {
        return [{ where: [], ofChats: false, indexOnly: true, sql: `SELECT c.id, c.at FROM ${visibleWalk()} AS c WHERE ${match.probe('c.id')} ORDER BY c.at DESC, c.id DESC LIMIT ${limit}` }];
      }
      if (match.via === 'message' && walksBounded) {
        // The walk's matches are the newest ones: every newer chat was probed. Reading every match (the
        // trigram index, then each matching chat by its key) is gated on the walk falling short, a one-time
        // filter: it does not run when the walk found a page. Materialized, so the planner cannot make it
        // a walk of all chats probing each one's messages from the heap instead.
        const found = visibleWhere();
        const sql = `WITH walked AS MATERIALIZED (
            SELECT w.id, w.at FROM (SELECT c.id, c.at FROM ${visibleWalk()} AS c ORDER BY c.at DESC, c.id DESC LIMIT ${BOUNDED_WALK_CHATS}) AS w
            WHERE ${match.probe('w.id')} ORDER BY w.at DESC, w.id DESC LIMIT ${limit}),
          matched AS MATERIALIZED (SELECT DISTINCT x.chat_id FROM (${match.matches}) AS x)
          SELECT u.id, u.at FROM (
            SELECT id, at FROM walked
            UNION
            (SELECT c.id, ${ACTIVITY} AS at FROM matched x JOIN chat.chats c ON c.id = x.chat_id
              WHERE ${found.join(' AND ')} AND (SELECT count(*) FROM walked) < ${limit} ORDER BY ${ACTIVITY} DESC, c.id DESC LIMIT ${limit})
          ) AS u ORDER BY u.at DESC, u.id DESC LIMIT ${limit}`;
        return [{ where: [], ofChats: false, indexOnly: true, sql }];
      }
      // A message or number alternative is one page over everything visible, not one per slice: per slice,
      // a rare word repeated the same trigram index scan (the costliest step) for every connection, and a
      // common one needed a page of matches from every connection, probing each chat's messages three
      // times as often. A word the planner expects in many chats walks the activity index, probing each
      // visible chat (index-only, decision 0054); a rare one is the semi-join, which the planner starts
      // from the trigram index.
      const where = visibleWhere(match.via === 'message' && rarity === 'common' ? match.probe('c.id') : match.condition);
      return [{ where, ofChats: true, indexOnly: false, sql: `SELECT c.id, ${ACTIVITY} AS at FROM chat.chats c WHERE ${where.join(' AND ')} ORDER BY ${ACTIVITY} DESC, c.id DESC LIMIT ${limit}` }];
    });
    // A walk that reads every chat it passes (no filter, or an index without the filtered columns) can be
    // the statement itself. A filtered walk of a covering index picks ids first, index-only, so only the
    // page's chats are read, not every chat the filters skip (that costs one more index probe per result).
    if (pages.length === 1 && pages[0]!.ofChats && !pages[0]!.indexOnly) return { where: pages[0]!.where.join(' AND ') };
    if (pages.length === 1) return { ids: pages[0]!.sql };
    // UNION, not UNION ALL: a chat of two filtered operators comes from both walks with the same activity
    // (chat_operators copies it in the same transaction as the chat changes), so the pair is one row.
    return { ids: `SELECT u.id FROM (${pages.map((p) => `(${p.sql})`).join(' UNION ')}) AS u ORDER BY u.at DESC, u.id DESC LIMIT ${limit}` };
  }

  /**
   * How a keyword page finds chats with a matching message, from the planner's estimate of how many have
   * one (the statistics of migrations 0006 and 0013; nothing is read):
   * - `common`, at least `rareWordChats`: walk the visible chats newest first, probing each;
   * - `rare`, under a tenth of that: the semi-join, which the planner starts from the trigram index;
   * - `uncertain`, between the two, or several words each common alone but rare together: the estimate is
   *   off by 2-3x there ("thule": 6,300 chats expected, 15,654 found), and for a phrase the planner
   *   multiplies the words' frequencies ("доставка львів": 4,335 messages expected, 30,838 found), so a
   *   bounded walk comes first and the trigram index only when it falls short (decision 0054).
   */
  private async messageRarity(query: string): Promise<'common' | 'uncertain' | 'rare'> {
    const terms = searchTerms(query);
    // 0 means "always walk": one word by the merged walk, several by the bounded walk first.
    if (this.rareWordChats <= 0) return terms.length > 1 ? 'uncertain' : 'common';
    const estimate = async (words: string) => {
      const args: unknown[] = [];
      const [match] = chatSearchAlternatives(words, args, 'message');
      const plan = (await this.dataSource.query(`EXPLAIN (FORMAT JSON) SELECT 1 FROM chat.chats c WHERE ${match!.condition}`, args)) as { 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }[];
      return plan[0]!['QUERY PLAN'][0].Plan['Plan Rows'];
    };
    const all = await estimate(query);
    if (all >= this.rareWordChats) return 'common';
    if (all >= this.rareWordChats / 10) return 'uncertain';
    if (terms.length === 1) return 'rare';
    const each = await Promise.all(terms.map(estimate));
    return Math.min(...each) >= this.rareWordChats ? 'uncertain' : 'rare';
  }

  /**
   * The tab counts, each stopping at `upTo` (a count of `upTo` means "at least that many"). Each tab is the
   * list's own walk of its first `upTo` chats, so it costs about a page of that size however many chats
   * match, where the exact count reads every match (40-53 s for a common keyword at 1M chats).
   */
  async countChatsUpTo(viewer: Viewer, filter: ChatListFilter, upTo: number): Promise<ChatListCounts> {
    const count = async (type: ChatListType): Promise<number> => {
      const args: unknown[] = [upTo];
      const newest = await this.newestIds(viewer, { ...filter, type }, args, { limit: '$1' });
      if (!newest) return 0;
      const ids = 'where' in newest ? `SELECT c.id FROM chat.chats c WHERE ${newest.where} ORDER BY ${ACTIVITY} DESC, c.id DESC LIMIT $1` : newest.ids;
      const rows = (await this.dataSource.query(`SELECT count(*)::int AS n FROM (${ids}) AS page`, args)) as { n: number }[];
      return rows[0]!.n;
    };
    const [all, unassigned, assignedToMe, unanswered] = await Promise.all([count('all'), count('unassigned'), count('assigned_to_me'), count('unanswered')]);
    return { all, unassigned, assignedToMe, unanswered };
  }

  /** How many chats each "Тип чату" tab would show with the other filters applied. */
  async countChats(viewer: Viewer, filter: ChatListFilter): Promise<ChatListCounts> {
    const args: unknown[] = [viewer.employeeId];
    const visible = visibleChatCondition(viewer, args, 'c', await this.connectionsFor(viewer, filter.channels));
    const conditions = [visible, ...filterConditions(viewer, { ...filter, type: 'all' }, args)];
    const rows = (await this.dataSource.query(
      `SELECT count(*)::int AS "all",
              count(*) FILTER (WHERE cardinality(c.operator_ids) = 0)::int AS unassigned,
              count(*) FILTER (WHERE $1::uuid = ANY(c.operator_ids))::int AS assigned_to_me,
              count(*) FILTER (WHERE c.unanswered)::int AS unanswered
       FROM chat.chats c WHERE ${conditions.join(' AND ')}`,
      args,
    )) as { all: number; unassigned: number; assigned_to_me: number; unanswered: number }[];
    const row = rows[0]!;
    return { all: row.all, unassigned: row.unassigned, assignedToMe: row.assigned_to_me, unanswered: row.unanswered };
  }

  /**
   * The operator's connections that can hold chats of these channels: a connection is one account of
   * one channel, so the others cannot match and need not be read. Without a channel filter (or for an
   * admin) all of the viewer's connections.
   */
  private async connectionsFor(viewer: Viewer, channels: readonly string[] | undefined): Promise<string[]> {
    if (viewer.isAdmin || !channels?.length || viewer.connectionIds.length === 0) return viewer.connectionIds;
    const unknown = viewer.connectionIds.filter((id) => !this.connectionChannels.has(id));
    if (unknown.length > 0) {
      const rows = (await this.dataSource.query(
        `SELECT k.id, (SELECT x.channel FROM chat.chats x WHERE x.connection_id = k.id LIMIT 1) AS channel FROM unnest($1::uuid[]) AS k(id)`,
        [unknown],
      )) as { id: string; channel: string | null }[];
      for (const row of rows) if (row.channel) this.connectionChannels.set(row.id, row.channel);
    }
    // A connection without chats has no channel yet; keeping it costs one empty index probe.
    return viewer.connectionIds.filter((id) => {
      const channel = this.connectionChannels.get(id);
      return channel === undefined || channels.includes(channel);
    });
  }

  /** One chat, if the viewer may see it. */
  async getChat(viewer: Viewer, id: string): Promise<ChatRecord | undefined> {
    const args: unknown[] = [id, viewer.employeeId];
    const rows = (await this.dataSource.query(
      `SELECT ${CHAT_COLUMNS}, ${unreadCountSql('c', '$2::uuid')} AS unread_count
       FROM ${CHAT_FROM} WHERE c.id = $1 AND ${visibleChatCondition(viewer, args)}`,
      args,
    )) as ChatRecord[];
    return rows[0];
  }

  /** Several chats by id, those the viewer may see, keyed by id. */
  async getChats(viewer: Viewer, ids: readonly string[]): Promise<Map<string, ChatRecord>> {
    if (ids.length === 0) return new Map();
    const args: unknown[] = [ids, viewer.employeeId];
    const rows = (await this.dataSource.query(
      `SELECT ${CHAT_COLUMNS}, ${unreadCountSql('c', '$2::uuid')} AS unread_count
       FROM ${CHAT_FROM} WHERE c.id = ANY($1::uuid[]) AND ${visibleChatCondition(viewer, args)}`,
      args,
    )) as ChatRecord[];
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * C5 "jump to a message": the timeline item and up to `radius` items before and after it, oldest first.
   * Undefined when the item is not in this chat.
   */
  async timelineAround(params: { chatId: string; itemId: string; radius: number }): Promise<MessageRecord[] | undefined> {
    const centre = await this.getTimelineItem(params.chatId, params.itemId);
    if (!centre) return undefined;
    const [before, after] = await Promise.all([
      this.dataSource.query(
        `SELECT * FROM chat.messages WHERE chat_id = $1 AND (sent_at, seq) < ($2::timestamptz, $3::bigint) ORDER BY sent_at DESC, seq DESC LIMIT $4`,
        [params.chatId, centre.sent_at, centre.seq, params.radius],
      ) as Promise<MessageRecord[]>,
      this.dataSource.query(
        `SELECT * FROM chat.messages WHERE chat_id = $1 AND (sent_at, seq) > ($2::timestamptz, $3::bigint) ORDER BY sent_at, seq LIMIT $4`,
        [params.chatId, centre.sent_at, centre.seq, params.radius],
      ) as Promise<MessageRecord[]>,
    ]);
    return [...before.reverse(), centre, ...after];
  }

  /**
   * A chat's timeline, newest first, keyset-paged by (time, arrival order). `kinds` picks customer and
   * operator messages, notes and activity entries. The caller has already checked the chat is visible.
   */
  async listTimeline(params: {
    chatId: string;
    kinds: readonly MessageRecord['kind'][];
    first: number;
    after?: string | undefined;
  }): Promise<Page<MessageRecord>> {
    const args: unknown[] = [params.chatId, params.first + 1, params.kinds];
    let where = '';
    if (params.after) {
      const [time, seq] = decodeCursor(params.after, 2);
      args.push(time, seq);
      where = `AND (m.sent_at, m.seq) < ($4::timestamptz, $5::bigint)`;
    }
    const rows = (await this.dataSource.query(
      `SELECT m.* FROM chat.messages m WHERE m.chat_id = $1 AND m.kind = ANY($3::text[]) ${where} ORDER BY m.sent_at DESC, m.seq DESC LIMIT $2`,
      args,
    )) as MessageRecord[];
    return page(rows, params.first, (r) => [new Date(r.sent_at).toISOString(), r.seq]);
  }

  async getTimelineItem(chatId: string, id: string): Promise<MessageRecord | undefined> {
    const rows = (await this.dataSource.query(`SELECT * FROM chat.messages WHERE id = $1 AND chat_id = $2`, [id, chatId])) as MessageRecord[];
    return rows[0];
  }
}

function filterConditions(viewer: Viewer, filter: ChatListFilter, args: unknown[]): string[] {
  const conditions: string[] = [];
  const param = (value: unknown, type: string) => {
    args.push(value);
    return `$${args.length}::${type}`;
  };
  if (filter.channels?.length) conditions.push(`c.channel = ANY(${param(filter.channels, 'text[]')})`);
  if (filter.statusCodes?.length) conditions.push(`c.status_code = ANY(${param(filter.statusCodes, 'text[]')})`);
  if (filter.operatorIds?.length) conditions.push(`c.operator_ids && ${param(filter.operatorIds, 'uuid[]')}`);
  if (filter.search) conditions.push(chatSearchCondition(filter.search, args));
  switch (filter.type ?? 'all') {
    case 'unassigned':
      // Not cardinality(...) = 0: the planner has statistics for the column (an empty array is its most
      // common value), none for the expression, and would guess 0.5% of chats instead of ~40%.
      conditions.push(`c.operator_ids = '{}'::uuid[]`);
      break;
    case 'assigned_to_me':
      // Containment, not "= ANY": only @> is served by chats_operator_ids_idx (GIN).
      conditions.push(`c.operator_ids @> ARRAY[${param(viewer.employeeId, 'uuid')}]`);
      break;
    case 'unanswered':
      conditions.push(`c.unanswered`);
      break;
    case 'all':
      break;
  }
  return conditions;
}

function page<T>(rows: T[], first: number, cursorOf: (row: T) => (string | number)[]): Page<T> {
  const items = rows.slice(0, first);
  return { items, cursors: items.map((r) => encodeCursor(cursorOf(r))), hasNextPage: rows.length > first };
}
