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

/**
 * The SQL condition "chat `c` matches the keyword search" for the chat list filter (L5), appending its
 * parameters: every term in one message or note, or every term in the customer's name/username/phone,
 * or the chat number.
 */
export function chatSearchCondition(query: string, args: unknown[]): string {
  const terms = searchTerms(query);
  const likes = (expr: string) =>
    terms
      .map((term) => {
        args.push(containsPattern(term));
        return `${expr} LIKE $${args.length}`;
      })
      .join(' AND ');
  const inMessages = `c.id IN (SELECT m.chat_id FROM chat.messages m WHERE m.kind IN ('message', 'note') AND ${likes(MESSAGE_SEARCH_EXPR('m'))})`;
  const inCustomer = `c.customer_id IN (SELECT cu.id FROM chat.customers cu WHERE ${likes(CUSTOMER_SEARCH_EXPR('cu'))})`;
  const number = chatNumberOf(query);
  if (number === undefined) return `(${inMessages} OR ${inCustomer})`;
  args.push(number);
  return `(${inMessages} OR ${inCustomer} OR c.number = $${args.length})`;
}

