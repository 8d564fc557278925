import { useEffect, useState } from 'react';
import { Provider, type Client } from 'urql';
import { LoginPage } from './auth/login-page';
import { useSession } from './auth/session';
import { createConsoleClient } from './graphql/client';
import { MessengersPage } from './inbox/messengers-page';
import { LiveProvider } from './live/live-context';

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
        <MessengersPage />
      </LiveProvider>
    </Provider>
  );
}
