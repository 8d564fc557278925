import { containsPattern, searchTerms } from './search-terms';

/** The indexed expressions of migration 0003; queries must repeat them exactly for the indexes to apply. */
export const MESSAGE_SEARCH_EXPR = (alias: string) => `chat.search_norm(${alias}.text)`;
export const CUSTOMER_SEARCH_EXPR = (alias: string) =>
  `chat.search_norm(${alias}.display_name || ' ' || COALESCE(${alias}.username, '') || ' ' || COALESCE(${alias}.phone, ''))`;

/** "#1234" or "1234" alone: a chat number. */
export function chatNumberOf(query: string): number | undefined {
  const match = /^\s*#?(\d{1,15})\s*$/.exec(query);
  return match ? Number(match[1]) : undefined;
}

/** LIKE conditions for every term on `expr`, appending their parameters. */
function likesOf(terms: readonly string[], expr: string, args: unknown[]): string {
  return terms
    .map((term) => {
      args.push(containsPattern(term));
      return `${expr} LIKE $${args.length}`;
    })
    .join(' AND ');
}

/** One way chat `c` can match the keyword search: through a message or note, its customer, or its number. */
export interface SearchAlternative {
  via: 'message' | 'customer' | 'number';
  condition: string;
}

/**
 * The ways chat `c` can match the keyword search (L5), each an SQL condition, appending their
 * parameters: every term in one message or note; every term in the customer's name/username/phone; the
 * chat number. Each is a single semi-join, so the planner can either start from the trigram index (rare
 * words) or walk the chats newest-first and probe each one (common words).
 */
export function chatSearchAlternatives(query: string, args: unknown[]): SearchAlternative[] {
  const terms = searchTerms(query);
  const alternatives: SearchAlternative[] = [
    {
      via: 'message',
      condition: `c.id IN (SELECT m.chat_id FROM chat.messages m WHERE m.kind IN ('message', 'note') AND ${likesOf(terms, MESSAGE_SEARCH_EXPR('m'), args)})`,
    },
    { via: 'customer', condition: `c.customer_id IN (SELECT cu.id FROM chat.customers cu WHERE ${likesOf(terms, CUSTOMER_SEARCH_EXPR('cu'), args)})` },
  ];
  const number = chatNumberOf(query);
  if (number !== undefined) {
    args.push(number);
    alternatives.push({ via: 'number', condition: `c.number = $${args.length}` });
  }
  return alternatives;
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
    `SELECT m.chat_id FROM chat.messages m WHERE m.kind IN ('message', 'note') AND ${likesOf(terms, MESSAGE_SEARCH_EXPR('m'), args)}`,
    `SELECT cc.id FROM chat.chats cc JOIN chat.customers cu ON cu.id = cc.customer_id WHERE ${likesOf(terms, CUSTOMER_SEARCH_EXPR('cu'), args)}`,
  ];
  const number = chatNumberOf(query);
  if (number !== undefined) {
    args.push(number);
    matches.push(`SELECT cn.id FROM chat.chats cn WHERE cn.number = $${args.length}`);
  }
  return `c.id IN (${matches.join(' UNION ALL ')})`;
}
