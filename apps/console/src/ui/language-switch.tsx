import { useI18n } from '../i18n/i18n-context';
import { LOCALES, isLocale } from '../i18n/locale';

const NAMES = { uk: 'Українська', en: 'English' } as const;

export function LanguageSwitch() {
  const { t, locale, setLocale } = useI18n();
  return (
    <label className="language-switch">
      <span className="visually-hidden">{t('app.language')}</span>
      <select value={locale} onChange={(event) => isLocale(event.target.value) && setLocale(event.target.value)} aria-label={t('app.language')}>
        {LOCALES.map((code) => (
          <option key={code} value={code} lang={code}>
            {NAMES[code]}
          </option>
        ))}
      </select>
    </label>
  );
}
