import { badUserInput } from '@switchboard/service-kit';

/**
 * Turns what an operator typed into search terms. Must normalise exactly like chat.search_norm() in
 * migration 0003 (lower case, ё -> е, every apostrophe form -> '), so a term matches the indexed text.
 */
export function normaliseForSearch(value: string): string {
  return value.toLowerCase().replace(/ё/g, 'е').replace(/[’ʼ`]/g, "'");
}

export const MAX_TERMS = 8;
export const MIN_TERM_LENGTH = 2;

/** Distinct terms, each at least two characters (shorter ones match nearly everything). */
export function searchTerms(query: string): string[] {
  const terms = [...new Set(normaliseForSearch(query).split(/[\s,.;:!?()"«»]+/u).filter((t) => t.length >= MIN_TERM_LENGTH))];
  if (terms.length === 0) throw badUserInput(`Type at least ${MIN_TERM_LENGTH} letters or digits to search`, 'query');
  if (terms.length > MAX_TERMS) throw badUserInput(`At most ${MAX_TERMS} words per search`, 'query');
  return terms;
}

/** A LIKE pattern matching the term anywhere: at a word beginning or inside a word. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, '\\$&')}%`;
}
