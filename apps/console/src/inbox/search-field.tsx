import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n-context';

const SEARCH_DEBOUNCE_MS = 300;

/** "Пошук" (L5): the list follows the typed text after a short pause, not on every key. */
export function SearchField({ value, onChange }: { value: string; onChange(value: string): void }) {
  const { t } = useI18n();
  const [text, setText] = useState(value);
  useEffect(() => {
    setText(value);
  }, [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => onChange(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, value, onChange]);
  return (
    <input
      className="search-field"
      type="search"
      aria-label={t('filters.search')}
      placeholder={t('filters.searchPlaceholder')}
      value={text}
      onChange={(event) => setText(event.target.value)}
    />
  );
}
