import type { Locale } from '../i18n/locale';

/** List times: the clock for today, the date otherwise (as messengers show them). */
export function formatListTime(iso: string | null | undefined, locale: Locale, now = new Date()): string {
  if (!iso) return '';
  const at = new Date(iso);
  const sameDay = at.toDateString() === now.toDateString();
  return new Intl.DateTimeFormat(locale, sameDay ? { hour: '2-digit', minute: '2-digit' } : { day: '2-digit', month: '2-digit' }).format(at);
}

export function formatTimestamp(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** Date and time to the second: audit entries and dead letters seconds apart are told apart. */
export function formatFullTimestamp(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(iso));
}
