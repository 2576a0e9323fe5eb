/** The login form: clear messages for a wrong password and for throttling, with the wait. */
import { useEffect, useState } from 'preact/hooks';
import type { AuthOptions } from '../../../contract/wire';
import { ApiError, authOptions, providerSignInUrl } from '../api';
import { loggedOutHere, logIn } from '../actions';
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

export function Login({ submit = logIn, options: given }: { readonly submit?: (username: string, password: string) => Promise<void>; readonly options?: AuthOptions }) {
  // How users sign in here; until known, the password form (the service's own default).
  const [options, setOptions] = useState<AuthOptions | undefined>(given);
  useEffect(() => {
    if (given !== undefined) return;
    authOptions().then(setOptions, () => undefined);
  }, [given]);
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

  const provider = options?.provider ?? null;
  const passwords = options?.localLogin ?? true;
  const providerPart = provider && (
    <>
      <a class="button primary" href={providerSignInUrl(provider.signInPath)}>Sign in with {provider.name}</a>
      {provider.endSessionUrl && loggedOutHere() && (
        <p>
          <a href={provider.endSessionUrl}>Also sign out of {provider.name}</a>
        </p>
      )}
    </>
  );
  if (!passwords) {
    return (
      <main class="login">
        <section aria-labelledby="login-title" class="form">
          <h1 id="login-title">media-store</h1>
          {notice?.kind === 'error' && <p class="error" role="alert">{notice.text}</p>}
          {providerPart}
        </section>
      </main>
    );
  }

  return (
    <main class="login">
      <form onSubmit={onSubmit} aria-labelledby="login-title">
        <h1 id="login-title">media-store</h1>
        {providerPart}
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
