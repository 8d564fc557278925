import type { Viewer } from '@switchboard/chat/src/access/viewer';
import type { ChatListFilter, ChatQueryService } from '@switchboard/chat/src/chats/chat-query.service';
import type { ChatSearchService } from '@switchboard/chat/src/search/chat-search.service';
import { CUSTOMER_SEARCH_EXPR, MESSAGE_SEARCH_EXPR } from '@switchboard/chat/src/search/search-sql';
import { containsPattern, searchTerms } from '@switchboard/chat/src/search/search-terms';
import type { DataSource } from 'typeorm';
import { OPERATORS, prng, type Scale } from './dataset';
import type { Scenario } from './measure';

/** Issue 4's targets on 2 cores. */
export const TARGETS = { listMs: 30, searchMs: 150 };
/** The page sizes the UI asks for (docs/api.md): 30 chats, 20 search hits. */
const LIST_PAGE = 30;
const SEARCH_PAGE = 20;

export interface ScenarioContext {
  dataSource: DataSource;
  queries: ChatQueryService;
  search: ChatSearchService;
  admin: Viewer;
  /** Operators with different connections and assignments, one per iteration in turn. */
  operators: Viewer[];
  scale: Scale;
}

/** Picks parameters per iteration: deterministic, different from one iteration to the next. */
const cycle = <T>(values: readonly T[]) => (i: number) => values[i % values.length]!;
const randomInt = (seed: number) => (i: number, max: number) => Math.floor(prng(seed * 1_000_003 + i)() * max);

export interface ListCase {
  name: string;
  filter: (i: number, viewer: Viewer) => ChatListFilter;
  /** Also time countChats with this filter (the tab counts ignore `type`, so type-only cases would repeat "no filter"). */
  counts: boolean;
  page2?: boolean;
}

const operatorId = randomInt(7);
const orderNumber = randomInt(11);
const chatNumber = randomInt(19);

export const LIST_CASES: ListCase[] = [
  { name: 'no filter', filter: () => ({}), counts: true },
  { name: '1 channel (telegram / viber / whatsapp)', filter: (i) => ({ channels: [cycle(['telegram', 'viber', 'whatsapp'])(i)] }), counts: true },
  { name: '1 rare channel (bridge / telegram-user)', filter: (i) => ({ channels: [cycle(['bridge', 'telegram-user'])(i)] }), counts: true },
  {
    name: '3 channels',
    filter: (i) => ({ channels: cycle([['viber', 'whatsapp', 'instagram'], ['telegram', 'messenger', 'instagram-comments'], ['whatsapp', 'facebook-comments', 'bridge']])(i) }),
    counts: true,
  },
  { name: 'type unassigned', filter: () => ({ type: 'unassigned' }), counts: false },
  { name: 'type assigned to me', filter: () => ({ type: 'assigned_to_me' }), counts: false },
  { name: 'type unanswered', filter: () => ({ type: 'unanswered' }), counts: false },
  { name: '3 operators', filter: (i) => ({ operatorIds: [0, 1, 2].map((k) => OPERATORS[operatorId(i * 3 + k, OPERATORS.length)]!.employeeId) }), counts: true },
  { name: '2 statuses', filter: (i) => ({ statusCodes: cycle([['new', 'in_progress'], ['in_progress', 'completed'], ['new', 'completed']])(i) }), counts: true },
  { name: 'keyword, rare (an order number)', filter: (i) => ({ search: String(100_000 + orderNumber(i, 900_000)) }), counts: true },
  { name: 'keyword, common (замовлення / доставка / заказ)', filter: (i) => ({ search: cycle(['замовлення', 'доставка', 'заказ'])(i) }), counts: true },
  { name: 'keyword, customer name (Коваль / Орлов / Smith)', filter: (i) => ({ search: cycle(['Коваль', 'Орлов', 'Smith'])(i) }), counts: true },
  { name: 'keyword, chat number (#N)', filter: (i) => ({ search: `#${1 + chatNumber(i, 1_000_000)}` }), counts: true },
  {
    name: '2 channels + 2 statuses + unanswered',
    filter: (i) => ({ channels: cycle([['telegram', 'viber'], ['whatsapp', 'instagram']])(i), statusCodes: ['new', 'in_progress'], type: 'unanswered' }),
    counts: true,
  },
  { name: '1 operator + 1 status', filter: (i) => ({ operatorIds: [OPERATORS[operatorId(i, OPERATORS.length)]!.employeeId], statusCodes: ['in_progress'] }), counts: true },
  { name: '1 channel + unassigned + new', filter: (i) => ({ channels: [cycle(['telegram', 'viber', 'whatsapp', 'messenger'])(i)], statusCodes: ['new'], type: 'unassigned' }), counts: true },
  { name: 'rare channel + new + unanswered', filter: (i) => ({ channels: [cycle(['bridge', 'telegram-user'])(i)], statusCodes: ['new'], type: 'unanswered' }), counts: true },
  { name: 'assigned to me + in progress', filter: () => ({ type: 'assigned_to_me', statusCodes: ['in_progress'] }), counts: false },
  { name: 'keyword замовл + unanswered', filter: () => ({ search: 'замовл', type: 'unanswered' }), counts: false },
  { name: 'page 2: no filter', filter: () => ({}), counts: false, page2: true },
  {
    name: 'page 2: 2 channels + 2 statuses + unanswered',
    filter: (i) => ({ channels: cycle([['telegram', 'viber'], ['whatsapp', 'instagram']])(i), statusCodes: ['new', 'in_progress'], type: 'unanswered' }),
    counts: false,
    page2: true,
  },
];

interface SearchCase {
  name: string;
  query: (i: number) => string;
}

const SEARCH_CASES = (scale: Scale): SearchCase[] => [
  { name: 'rare: an order number', query: (i) => String(100_000 + orderNumber(i + 500_000, 900_000)) },
  { name: 'product name (fjällräven / thule / omron / turbat / gardena / g-shock)', query: cycle(['fjällräven', 'thule', 'omron', 'turbat', 'gardena', 'g-shock']) },
  { name: 'common word (замовлення / доставка / спасибо)', query: cycle(['замовлення', 'доставка', 'спасибо']) },
  { name: 'two words (доставка львів / iphone pro / заказ пришёл)', query: cycle(['доставка львів', 'iphone pro', 'заказ пришёл']) },
  { name: 'Ukrainian prefix: замовл', query: () => 'замовл' },
  { name: 'Russian (накладной / отделение / скидка)', query: cycle(['накладной', 'отделение', 'скидка']) },
  { name: 'Latin (tracking / shipped / discount)', query: cycle(['tracking', 'shipped', 'discount']) },
  { name: 'customer name (Коваль / Орлов / Smith)', query: cycle(['Коваль', 'Орлов', 'Smith']) },
  { name: 'chat number (#N)', query: (i) => `#${1 + randomInt(13)(i, scale.chats)}` },
];

/** The console's cap on tab counts (apps/console COUNTS_UP_TO). */
const COUNTS_UP_TO = 1000;

export function listScenarios(ctx: ScenarioContext): Scenario[] {
  const scenarios: Scenario[] = [];
  for (const role of ['admin', 'operator'] as const) {
    const viewer = (i: number) => (role === 'admin' ? ctx.admin : ctx.operators[i % ctx.operators.length]!);
    for (const c of LIST_CASES) {
      const describe = async () => {
        const counts = await ctx.queries.countChats(viewer(0), c.filter(0, viewer(0)));
        const type = c.filter(0, viewer(0)).type ?? 'all';
        const n = { all: counts.all, unassigned: counts.unassigned, assigned_to_me: counts.assignedToMe, unanswered: counts.unanswered }[type];
        return `${n.toLocaleString('en')} chats`;
      };
      scenarios.push({
        group: 'list',
        name: c.name,
        role,
        targetMs: TARGETS.listMs,
        describe,
        prepare: async (i) => {
          const v = viewer(i);
          const filter = c.filter(i, v);
          if (!c.page2) return () => ctx.queries.listChats(v, { filter, first: LIST_PAGE });
          const first = await ctx.queries.listChats(v, { filter, first: LIST_PAGE });
          const after = first.cursors[first.cursors.length - 1];
          return () => ctx.queries.listChats(v, { filter, first: LIST_PAGE, after });
        },
      });
      if (c.counts) {
        scenarios.push({
          group: 'counts',
          name: c.name,
          role,
          targetMs: TARGETS.listMs,
          describe: async () => `${(await ctx.queries.countChats(viewer(0), c.filter(0, viewer(0)))).all.toLocaleString('en')} chats`,
          prepare: (i) => {
            const v = viewer(i);
            const filter = c.filter(i, v);
            return () => ctx.queries.countChats(v, filter);
          },
        });
        // What the console asks for (counts(upTo: 1000)): each tab's own list walk, stopping at the cap.
        scenarios.push({
          group: 'counts',
          name: `${c.name}, up to ${COUNTS_UP_TO.toLocaleString('en')}`,
          role,
          targetMs: TARGETS.listMs,
          describe: async () => `${(await ctx.queries.countChatsUpTo(viewer(0), c.filter(0, viewer(0)), COUNTS_UP_TO)).all.toLocaleString('en')} chats (capped)`,
          prepare: (i) => {
            const v = viewer(i);
            const filter = c.filter(i, v);
            return () => ctx.queries.countChatsUpTo(v, filter, COUNTS_UP_TO);
          },
        });
      }
    }
  }
  return scenarios;
}

export function searchScenarios(ctx: ScenarioContext): Scenario[] {
  const scenarios: Scenario[] = [];
  const matching = matchCounter(ctx.dataSource);
  for (const role of ['admin', 'operator'] as const) {
    const viewer = (i: number) => (role === 'admin' ? ctx.admin : ctx.operators[i % ctx.operators.length]!);
    for (const c of SEARCH_CASES(ctx.scale)) {
      scenarios.push({
        group: 'search',
        name: `searchChats: ${c.name}`,
        role,
        targetMs: TARGETS.searchMs,
        describe: () => matching(c.query(0)),
        prepare: (i) => {
          const v = viewer(i);
          const query = c.query(i);
          return () => ctx.search.searchChats(v, { query, first: SEARCH_PAGE });
        },
      });
    }
  }
  const chatNumber = randomInt(17);
  const chatIdOf = async (i: number) => {
    const rows = (await ctx.dataSource.query(`SELECT id FROM chat.chats WHERE number = $1`, [1 + chatNumber(i, ctx.scale.chats)])) as { id: string }[];
    return rows[0]!.id;
  };
  for (const [name, query] of [
    ['common word (замовлення / заказ / order)', cycle(['замовлення', 'заказ', 'order'])],
    ['rare: a long-tail product', cycle(['fjällräven', 'thule', 'omron'])],
  ] as const) {
    scenarios.push({
      group: 'search',
      name: `searchInChat (one chat): ${name}`,
      role: 'any',
      targetMs: TARGETS.searchMs,
      prepare: async (i) => {
        const chatId = await chatIdOf(i);
        return () => ctx.search.searchInChat({ chatId, query: query(i), first: SEARCH_PAGE });
      },
    });
  }
  return scenarios;
}

/** How many messages and notes (in all chats) contain every term of a query, and how many customers: the search's selectivity. */
function matchCounter(dataSource: DataSource): (query: string) => Promise<string> {
  return async (query) => {
    if (/^\s*#\d+\s*$/.test(query)) return '1 chat';
    const patterns = searchTerms(query).map(containsPattern);
    const rows = (await dataSource.query(
      `SELECT (SELECT count(*) FROM chat.messages m WHERE m.kind IN ('message', 'note') AND ${MESSAGE_SEARCH_EXPR('m')} LIKE ALL($1::text[]))::int AS messages,
              (SELECT count(*) FROM chat.customers cu WHERE ${CUSTOMER_SEARCH_EXPR('cu')} LIKE ALL($1::text[]))::int AS customers`,
      [patterns],
    )) as { messages: number; customers: number }[];
    const { messages, customers } = rows[0]!;
    return `"${query}": ${messages.toLocaleString('en')} messages${customers > 0 ? `, ${customers.toLocaleString('en')} customers` : ''}`;
  };
}
