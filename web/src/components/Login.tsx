/** The login form: clear messages for a wrong password and for throttling, with the wait. */
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { logIn } from '../actions';
import { formatDuration } from '../format';
import { useStore } from '../store';

export function loginMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      return error.retryAfterSeconds
        ? `Too many failed attempts. Try again in ${formatDuration(error.retryAfterSeconds)}.`
        : 'Too many failed attempts. Try again later.';
    }
    if (error.status === 401 || error.status === 400) return 'Wrong username or password.';
    return `Login failed: ${error.message}`;
  }
  return 'Cannot reach the server. Check your connection and try again.';
}

export function Login({ submit = logIn }: { readonly submit?: (username: string, password: string) => Promise<void> }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // Why the user is here again (a session ended, their access changed), until they log in.
  const notice = useStore((s) => s.notice);

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await submit(username, password);
    } catch (err) {
      setError(loginMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form onSubmit={onSubmit} aria-labelledby="login-title">
        <h1 id="login-title">media-store</h1>
        <label>
          Username
          <input name="username" autoComplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {!error && notice?.kind === 'error' && <p class="error" role="alert">{notice.text}</p>}
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
      </form>
    </main>
  );
}
