import { lazy, Suspense, useEffect, useState } from 'react';
import { Provider, type Client } from 'urql';
import { LoginPage } from './auth/login-page';
import { useSession } from './auth/session';
import { createConsoleClient } from './graphql/client';
import { MessengersPage } from './inbox/messengers-page';
import { LiveProvider } from './live/live-context';
import { adminPageOf } from './routing/admin-routes';
import { useLocation } from './routing/router';

export function App() {
  const current = useSession();
  // A new token means a new client: nothing cached for one employee is shown to the next.
  return current ? <SignedIn key={current.accessToken} /> : <LoginPage />;
}

function SignedIn() {
  const [client, setClient] = useState<Client | null>(null);
  // Created in an effect (not during render) so its live connection is closed exactly when it is dropped.
  useEffect(() => {
    const created = createConsoleClient();
    setClient(created.client);
    return created.dispose;
  }, []);
  if (!client) return null;
  return (
    <Provider value={client}>
      <LiveProvider>
        <Pages />
      </LiveProvider>
    </Provider>
  );
}

/** Admins only, and rarely: kept out of the first load's bundle (issue 9 caps it at 300 KB gzipped). */
const AdminPage = lazy(() => import('./admin/admin-page').then((module) => ({ default: module.AdminPage })));

/** /admin/... are the admin pages; every other path is the Messengers page (the list, or the list and a chat). */
function Pages() {
  const { pathname } = useLocation();
  const admin = adminPageOf(pathname);
  return admin ? (
    <Suspense fallback={null}>
      <AdminPage page={admin} />
    </Suspense>
  ) : (
    <MessengersPage />
  );
}
