import { session, useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n-context';
import { useLiveState } from '../live/live-context';
import { BrowserNotificationsButton } from '../notify/notification-center';
import { AppNav } from './app-nav';
import { LanguageSwitch } from './language-switch';

/** `title`: the page's heading; the Messengers page by default. */
export function AppHeader({ title }: { title?: string } = {}) {
  const { t } = useI18n();
  const current = useSession();
  const live = useLiveState();
  return (
    <header className="app-header">
      <h1 className="app-header__title">{title ?? t('app.title')}</h1>
      <AppNav />
      {live === 'offline' && (
        <p className="app-header__offline" role="status">
          {t('live.offline')}
        </p>
      )}
      <span className="app-header__spacer" />
      <BrowserNotificationsButton />
      <LanguageSwitch />
      {current && <span className="app-header__user">{t('app.signedInAs', { name: current.employee.name })}</span>}
      <button type="button" className="button button--link" onClick={() => session.signOut()}>
        {t('app.logout')}
      </button>
    </header>
  );
}
