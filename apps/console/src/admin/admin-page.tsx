import { useI18n } from '../i18n/i18n-context';
import { NotificationCenter } from '../notify/notification-center';
import type { AdminPage as Page } from '../routing/admin-routes';
import { navigate } from '../routing/router';
import { AppHeader } from '../ui/app-header';
import { AuditLogPage } from './audit-log-page';
import { CannedAnswersPage } from './canned-answers-page';
import { ConnectionsPage } from './connections-page';
import { EmployeesPage } from './employees-page';
import { StatusesPage } from './statuses-page';
import { useViewerAccess } from './use-viewer';

/**
 * An admin page, or what an operator gets instead: a clear "no access" page. The API refuses these
 * operations to operators anyway; the page does not even ask.
 */
export function AdminPage({ page }: { page: Page | 'unknown' }) {
  const { t } = useI18n();
  const access = useViewerAccess();
  const title = page === 'unknown' ? t('admin.notFound') : access === 'admin' ? t(`admin.page.${page}`) : access === 'operator' ? t('admin.noAccess') : undefined;
  return (
    <div className="app">
      <AppHeader {...(title ? { title } : {})} />
      <main className="admin">
        {access === 'loading' ? (
          <p className="muted">{t('admin.loading')}</p>
        ) : typeof access === 'object' ? (
          <p className="error" role="alert">
            {access.error}
          </p>
        ) : access === 'operator' ? (
          <NoAccess />
        ) : page === 'unknown' ? (
          <BackToInbox />
        ) : (
          <AdminContent page={page} />
        )}
      </main>
      <NotificationCenter />
    </div>
  );
}

function AdminContent({ page }: { page: Page }) {
  switch (page) {
    case 'connections':
      return <ConnectionsPage />;
    case 'employees':
      return <EmployeesPage />;
    case 'statuses':
      return <StatusesPage />;
    case 'canned-answers':
      return <CannedAnswersPage />;
    case 'audit-log':
      return <AuditLogPage />;
  }
}

function NoAccess() {
  const { t } = useI18n();
  return (
    <section className="admin__no-access" role="alert">
      <p>{t('admin.noAccessText')}</p>
      <BackToInbox />
    </section>
  );
}

function BackToInbox() {
  const { t } = useI18n();
  return (
    <button type="button" className="button" onClick={() => navigate('/')}>
      {t('admin.backToInbox')}
    </button>
  );
}
