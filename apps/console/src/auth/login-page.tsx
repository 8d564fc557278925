import { useState, type FormEvent } from 'react';
import { createAnonymousClient } from '../graphql/client';
import { LoginMutation } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { LanguageSwitch } from '../ui/language-switch';
import { session } from './session';

export function LoginPage() {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await createAnonymousClient().mutation(LoginMutation, { input: { email, password } }).toPromise();
    setBusy(false);
    const login = result.data?.login;
    if (login) {
      session.signIn({ accessToken: login.accessToken, expiresAt: login.expiresAt, employee: login.employee });
      return;
    }
    const unauthenticated = result.error?.graphQLErrors.some((e) => e.extensions?.['code'] === 'UNAUTHENTICATED');
    setError(unauthenticated ? t('login.failed') : t('login.error', { message: result.error?.message ?? '?' }));
  };

  return (
    <main className="login-page">
      <form className="login-form" onSubmit={submit}>
        <h1>{t('login.title')}</h1>
        <label>
          {t('login.email')}
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          {t('login.password')}
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={busy}>
          {t('login.submit')}
        </button>
        <LanguageSwitch />
      </form>
    </main>
  );
}
