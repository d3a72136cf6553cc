// Without a session: ask for a token. It is posted once and exchanged for the HttpOnly session
// cookie; nothing is stored in the page. A link from `tutti dashboard` logs in without this.

import { useState } from 'preact/hooks';
import { ApiError } from '../api/http';
import { Notice } from '../components/bits';
import { logIn } from '../state/session';

export function LoginPage({ reason }: { reason?: string }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const expired = new URLSearchParams(location.search).has('expired');
  return (
    <main class="login">
      <form
        class="login-box"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget as HTMLFormElement;
          const input = form.elements.namedItem('token') as HTMLInputElement;
          setBusy(true);
          setError(undefined);
          try {
            await logIn(input.value.trim());
            input.value = '';
          } catch (err) {
            setError(err instanceof ApiError ? `${err.message}${err.hint ? ` — ${err.hint}` : ''}` : String(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1>
          <span class="brand-dot" aria-hidden="true" /> tutti
        </h1>
        {expired && <Notice tone="warn">That login link was already used or has expired. Run <code>tutti dashboard</code> for a new one, or paste a token.</Notice>}
        {reason && !expired && <Notice>{reason}</Notice>}
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" spellcheck={false} required autoFocus placeholder="contents of .tutti/token" />
        <p class="muted small">
          The token is exchanged for a session cookie and not kept by the page. <code>tutti dashboard</code> prints a link that logs in
          directly; read-only access: <code>.tutti/viewer.token</code>.
        </p>
        {error && (
          <Notice tone="bad" role="alert">
            {error}
          </Notice>
        )}
        <button class="btn btn-primary" type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
