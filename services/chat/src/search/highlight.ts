import { normaliseForSearch } from './search-terms';

export interface TextRange {
  start: number;
  length: number;
}

export interface HighlightedText {
  text: string;
  ranges: TextRange[];
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Where each term occurs in the text (in UTF-16 offsets of the original text), merged and sorted. */
export function findMatches(text: string, terms: readonly string[]): TextRange[] {
  // Normalisation keeps the length of every character it changes (А->а, Ё->е, ’->'), so offsets carry over.
  const normalised = normaliseForSearch(text);
  const ranges: TextRange[] = [];
  for (const term of terms) {
    for (let at = normalised.indexOf(term); at !== -1; at = normalised.indexOf(term, at + term.length)) ranges.push({ start: at, length: term.length });
  }
  ranges.sort((a, b) => a.start - b.start);
  const merged: TextRange[] = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.start + last.length) last.length = Math.max(last.length, range.start + range.length - last.start);
    else merged.push({ ...range });
  }
  return merged;
}

/**
 * Relevance of a text for the terms: a match at a word beginning counts more than one inside a word,
 * and a text missing a term scores 0.
 */
export function matchScore(text: string, terms: readonly string[]): number {
  const normalised = normaliseForSearch(text);
  let score = 0;
  for (const term of terms) {
    let best = 0;
    for (let at = normalised.indexOf(term); at !== -1; at = normalised.indexOf(term, at + 1)) {
      const atWordStart = at === 0 || !WORD_CHAR.test(normalised[at - 1]!);
      best = Math.max(best, atWordStart ? 2 : 1);
      if (best === 2) break;
    }
    if (best === 0) return 0;
    score += best;
  }
  return score;
}

/** A fragment of about `width` characters around the first match, with the matches marked. */
export function highlight(text: string, terms: readonly string[], width = 120): HighlightedText {
  const matches = findMatches(text, terms);
  if (text.length <= width) return { text, ranges: matches };
  if (matches.length === 0) return { text: `${text.slice(0, width)}…`, ranges: [] };
  const first = matches[0]!;
  let start = Math.max(0, first.start - Math.floor((width - first.length) / 3));
  // Start at a word boundary so the fragment does not open with half a word.
  while (start > 0 && start < first.start && WORD_CHAR.test(text[start - 1]!)) start++;
  const end = Math.min(text.length, start + width);
  const prefix = start > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  return {
    text: `${prefix}${text.slice(start, end)}${suffix}`,
    ranges: matches.filter((m) => m.start >= start && m.start + m.length <= end).map((m) => ({ start: m.start - start + prefix.length, length: m.length })),
  };
}
