import { badUserInput } from '@switchboard/service-kit';
import { normalisePhone } from './contact-normalise';

/**
 * Turns what an employee typed in the picker into search terms. Must normalise exactly like
 * crm.search_norm() in the init migration (lower case, ё -> е, every apostrophe form -> '), the same idea
 * as the chat search (decision 0011), so a term matches the indexed text.
 */
export function normaliseForSearch(value: string): string {
  return value.toLowerCase().replace(/ё/g, 'е').replace(/[’ʼ`]/g, "'");
}

export const MAX_TERMS = 8;
export const MIN_TERM_LENGTH = 2;

/**
 * Distinct terms, each at least two characters. A query that is a phone number as a whole ("067 123 45 67")
 * becomes one term in the stored form (international digits), since records are indexed by those digits.
 */
export function searchTerms(query: string, phoneCountryCode: string): string[] {
  const phone = /\d{3}/.test(query) ? normalisePhone(query, phoneCountryCode) : undefined;
  if (phone) return [phone];
  const terms = [...new Set(normaliseForSearch(query).split(/[\s,;:!?()"«»]+/u).filter((t) => t.length >= MIN_TERM_LENGTH))];
  if (terms.length === 0) throw badUserInput(`Type at least ${MIN_TERM_LENGTH} letters or digits to search`, 'query');
  if (terms.length > MAX_TERMS) throw badUserInput(`At most ${MAX_TERMS} words per search`, 'query');
  return terms;
}

/** A LIKE pattern matching the term anywhere: at a word beginning or inside a word. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, '\\$&')}%`;
}
