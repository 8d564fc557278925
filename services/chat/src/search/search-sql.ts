import { containsPattern, searchTerms } from './search-terms';

/** The indexed expressions of migration 0003; queries must repeat them exactly for the indexes to apply. */
export const MESSAGE_SEARCH_EXPR = (alias: string) => `chat.search_norm(${alias}.text)`;
export const CUSTOMER_SEARCH_EXPR = (alias: string) =>
  `chat.search_norm(${alias}.display_name || ' ' || COALESCE(${alias}.username, '') || ' ' || COALESCE(${alias}.phone, ''))`;
/**
 * The same text of the chat's customer, copied onto chat `alias` by triggers (migration 0009) and
 * trigram-indexed there: a customer match is a condition on the chat, so a list walk filters on it
 * (in chats_connection_activity_idx, index-only) instead of looking up every walked chat's customer.
 */
export const CHAT_CUSTOMER_SEARCH_COLUMN = (alias: string) => `${alias}.customer_search`;

/** "#1234" or "1234" alone: a chat number. */
export function chatNumberOf(query: string): number | undefined {
  const match = /^\s*#?(\d{1,15})\s*$/.exec(query);
  return match ? Number(match[1]) : undefined;
}

/** The terms' LIKE patterns as parameters, appended to `args` once: every form of a match refers to them. */
function patternsOf(terms: readonly string[], args: unknown[]): string[] {
  return terms.map((term) => {
    args.push(containsPattern(term));
    return `$${args.length}`;
  });
}

/** `expr` LIKE every pattern. */
function likeAll(expr: string, patterns: readonly string[]): string {
  return patterns.map((pattern) => `${expr} LIKE ${pattern}`).join(' AND ');
}

/** LIKE conditions for every term on `expr`, appending their parameters. */
function likesOf(terms: readonly string[], expr: string, args: unknown[]): string {
  return likeAll(expr, patternsOf(terms, args));
}

/** "Message or note `m` contains every pattern". */
function messageMatchesAll(patterns: readonly string[]): string {
  return `m.kind IN ('message', 'note') AND ${likeAll(MESSAGE_SEARCH_EXPR('m'), patterns)}`;
}

/** "Message or note `m` contains every term", appending the terms' parameters. */
export function messageContainsAll(terms: readonly string[], args: unknown[]): string {
  return messageMatchesAll(patternsOf(terms, args));
}

/**
 * One way chat `c` can match the keyword search: through a message or note, its customer, or its number.
 * A message match comes in three forms over the same parameters: `condition`, a semi-join the planner may
 * start from the trigram index (right for a rare word); `probe`, per-chat probes for a walk over chats
 * newest first (right for a common one); `matches`, the chat ids of every matching message.
 */
export type SearchAlternative =
  | { via: 'message'; condition: string; probe: (chatId: string) => string; matches: string }
  | { via: 'customer' | 'number'; condition: string };

/**
 * The ways chat `c` can match the keyword search (L5), each an SQL condition, appending their
 * parameters: every term in one message or note; every term in the customer's name/username/phone; the
 * chat number. The customer match is a condition on the chat's own copy of the customer's text, with two
 * ways in (chats_customer_search_idx, or a walk that filters).
 */
export function chatSearchAlternatives(query: string, args: unknown[], only?: SearchAlternative['via']): SearchAlternative[] {
  const terms = searchTerms(query);
  // Only the kept ones add parameters: an unused parameter has no type to bind.
  const alternatives: SearchAlternative[] = [];
  if (!only || only === 'message') {
    const patterns = patternsOf(terms, args);
    const matches = `SELECT m.chat_id FROM chat.messages m WHERE ${messageMatchesAll(patterns)}`;
    alternatives.push({ via: 'message', condition: `c.id IN (${matches})`, probe: (chatId) => messageProbe(chatId, patterns), matches });
  }
  if (!only || only === 'customer') alternatives.push({ via: 'customer', condition: `(${likesOf(terms, CHAT_CUSTOMER_SEARCH_COLUMN('c'), args)})` });
  const number = chatNumberOf(query);
  if (number !== undefined && (!only || only === 'number')) {
    args.push(number);
    alternatives.push({ via: 'number', condition: `c.number = $${args.length}` });
  }
  return alternatives;
}

/**
 * "Chat `chatId` has a message or note containing every pattern", as probes of that one chat's messages
 * (decision 0054): index-only in messages_chat_search_idx, which holds each message's normalised text
 * (search_head), and for the few texts too long for it, through messages_long_text_idx and the text itself.
 * OFFSET 0 keeps each a per-chat probe: without it PostgreSQL may turn an EXISTS into one hashed subplan
 * that reads every match first (a sequential scan of all messages for search_head).
 */
function messageProbe(chatId: string, patterns: readonly string[]): string {
  const messagesOfChat = `FROM chat.messages m WHERE m.chat_id = ${chatId} AND m.kind IN ('message', 'note')`;
  return `(EXISTS (SELECT 1 ${messagesOfChat} AND ${likeAll('m.search_head', patterns)} OFFSET 0)
    OR EXISTS (SELECT 1 ${messagesOfChat} AND m.search_head IS NULL AND m.text IS NOT NULL AND ${likeAll(MESSAGE_SEARCH_EXPR('m'), patterns)} OFFSET 0))`;
}

/**
 * The SQL condition "chat `c` matches the keyword search" (any of chatSearchAlternatives), for counting.
 *
 * One IN over a UNION ALL, not "IN (...) OR IN (...)": an OR of subqueries can only be evaluated as
 * hashed subplans probed for every chat, while one IN is a semi-join that starts from the few matches of
 * a rare word.
 */
export function chatSearchCondition(query: string, args: unknown[]): string {
  const terms = searchTerms(query);
  const matches = [
    `SELECT m.chat_id FROM chat.messages m WHERE ${messageContainsAll(terms, args)}`,
    `SELECT cc.id FROM chat.chats cc WHERE ${likesOf(terms, CHAT_CUSTOMER_SEARCH_COLUMN('cc'), args)}`,
  ];
  const number = chatNumberOf(query);
  if (number !== undefined) {
    args.push(number);
    matches.push(`SELECT cn.id FROM chat.chats cn WHERE cn.number = $${args.length}`);
  }
  return `c.id IN (${matches.join(' UNION ALL ')})`;
}
