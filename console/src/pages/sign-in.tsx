import { useState } from 'preact/hooks';
import { ErrorNote } from '../components/notices';

/** The sign-in card: the API key (never stored beyond this tab's session). */
export function SignIn(props: { onSignIn: (key: string) => Promise<void>; notice: string | null }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(props.notice);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (key.trim() === '') {
      setError('Enter the API key of your account.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await props.onSignIn(key.trim());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form class="card signin-card" onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <div class="brand brand-large">
          <Logo />
          Hookpost
        </div>
        <h1 id="signin-title">Sign in to the webhooks console</h1>
        <p class="muted">
          Use an API key of your account. It stays in this browser tab only and is forgotten when the tab
          closes.
        </p>
        <label class="field">
          <span>API key</span>
          <input
            type="password"
            name="api-key"
            autoComplete="off"
            spellcheck={false}
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            aria-invalid={error !== null}
            aria-describedby={error !== null ? 'signin-error' : undefined}
            autoFocus
          />
        </label>
        {error !== null && <ErrorNote id="signin-error">{error}</ErrorNote>}
        <button type="submit" class="button primary wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

export const Logo = () => (
  <svg class="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
    <rect width="32" height="32" rx="8" />
    <path d="M9 8v16M23 8v16M9 16h14" />
  </svg>
);
