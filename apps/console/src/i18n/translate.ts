import type { Locale } from './locale';
import { MESSAGES, type PluralKey, type TextKey } from './messages';
import { formatPlural } from './plural';

export type Params = Record<string, string | number>;

/** Fills `{name}` placeholders; an unknown placeholder stays visible rather than silently vanishing. */
function fill(template: string, params: Params | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export interface Translator {
  locale: Locale;
  t(key: TextKey, params?: Params): string;
  /** A counted phrase: "5 чатів". */
  tn(key: PluralKey, count: number): string;
}

export function createTranslator(locale: Locale): Translator {
  const messages = MESSAGES[locale];
  return {
    locale,
    t: (key, params) => fill(messages[key], params),
    tn: (key, count) => formatPlural(locale, messages[key], count),
  };
}
