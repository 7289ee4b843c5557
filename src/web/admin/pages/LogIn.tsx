import { useState } from 'preact/hooks';
import { asApiError } from '../../api.js';
import { LoginCard } from '../../components/LoginCard.js';
import { adminApi } from '../admin-api.js';

/** No session: an admin key for one. The key goes to the server once and stays nowhere in the page. */
export function LogIn({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = (event: Event) => {
    event.preventDefault();
    if (!key.trim()) {
      setError('Paste an admin key (lsa_...).');
      return;
    }
    setBusy(true);
    adminApi.logIn(key).then(
      () => {
        setKey('');
        setBusy(false);
        onLoggedIn();
      },
      (reason: unknown) => {
        setBusy(false);
        setError(asApiError(reason).message);
      },
    );
  };

  return (
    <LoginCard title="Lodestar server admin" testid="login-form" class="admin-login">
      <p>Log in with an admin key: the one the server printed at its first start, or its LODESTAR_ADMIN_KEY.</p>
      <form class="form" onSubmit={submit}>
        <label class="field">
          <span>Admin key</span>
          <input
            type="password"
            name="admin-key"
            autocomplete="current-password"
            placeholder="lsa_…"
            value={key}
            aria-invalid={error ? 'true' : undefined}
            data-testid="admin-key"
            onInput={(event) => setKey((event.target as HTMLInputElement).value)}
          />
        </label>
        {error && (
          <p class="form-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" class="button primary" disabled={busy} data-testid="login-submit">
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </LoginCard>
  );
}
