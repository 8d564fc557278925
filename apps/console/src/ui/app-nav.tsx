import type { MouseEvent } from 'react';
import { useViewerAccess } from '../admin/use-viewer';
import { useI18n } from '../i18n/i18n-context';
import { ADMIN_PAGES, adminPageOf, adminPath } from '../routing/admin-routes';
import { navigate, useLocation } from '../routing/router';

/**
 * The console's sections: "Месенджери" and, for admins only, the admin pages. Operators get no entries at
 * all (the pages would only tell them they have no access).
 */
export function AppNav() {
  const { t } = useI18n();
  const access = useViewerAccess();
  const { pathname } = useLocation();
  if (access !== 'admin') return null;
  const current = adminPageOf(pathname);
  const follow = (event: MouseEvent<HTMLAnchorElement>, to: string) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <nav className="app-nav" aria-label={t('admin.nav')}>
      <a href="/" className="app-nav__link" aria-current={current === null ? 'page' : undefined} onClick={(event) => follow(event, '/')}>
        {t('app.title')}
      </a>
      {ADMIN_PAGES.map((page) => (
        <a key={page} href={adminPath(page)} className="app-nav__link" aria-current={current === page ? 'page' : undefined} onClick={(event) => follow(event, adminPath(page))}>
          {t(`admin.page.${page}`)}
        </a>
      ))}
    </nav>
  );
}
