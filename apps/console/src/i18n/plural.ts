import type { Locale } from './locale';

/**
 * The forms of one counted phrase, by CLDR plural category. Ukrainian needs one/few/many (1 чат, 2 чати,
 * 5 чатів) and other for fractions; English one/other. `{count}` is replaced by the formatted number.
 */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const rules = new Map<Locale, Intl.PluralRules>();
const numbers = new Map<Locale, Intl.NumberFormat>();

function pluralRules(locale: Locale): Intl.PluralRules {
  let rule = rules.get(locale);
  if (!rule) rules.set(locale, (rule = new Intl.PluralRules(locale)));
  return rule;
}

function numberFormat(locale: Locale): Intl.NumberFormat {
  let format = numbers.get(locale);
  if (!format) numbers.set(locale, (format = new Intl.NumberFormat(locale)));
  return format;
}

/** The form of `forms` that the locale's plural rules choose for `count`, with the count filled in. */
export function formatPlural(locale: Locale, forms: PluralForms, count: number): string {
  const form = forms[pluralRules(locale).select(count)] ?? forms.other;
  return form.replace('{count}', numberFormat(locale).format(count));
}
