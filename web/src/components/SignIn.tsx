import { useState, type FormEvent } from 'react';
import { ApiError, type ApiClient, type ConsoleSession } from '../api-client.ts';
import { browserWallet, signInWithWallet } from '../wallet-sign-in.ts';

function explain(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  const code = (error as { code?: number })?.code;
  if (code === 4001) return 'You rejected the request in your wallet.';
  return error instanceof Error ? error.message : String(error);
}

/** The sign-in screen: Sign-In with Ethereum, or a management token for operators. */
export function SignIn(props: { api: ApiClient; onSignedIn: (session: ConsoleSession) => void }) {
  const [busy, setBusy] = useState<'wallet' | 'token' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [token, setToken] = useState('');
  const wallet = browserWallet();

  const withWallet = async () => {
    if (!wallet) return;
    setBusy('wallet');
    setError(null);
    try {
      props.onSignedIn(await signInWithWallet(wallet, props.api));
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(null);
    }
  };

  const withToken = async (event: FormEvent) => {
    event.preventDefault();
    setBusy('token');
    setError(null);
    try {
      const session = await props.api.signInWithToken(token.trim());
      setToken('');
      props.onSignedIn(session);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <div className="brand large">
          <span className="brand-mark" aria-hidden="true" />
          Keygate
        </div>
        <h1>Sign in to the console</h1>
        <p className="muted">Manage your organization's API keys and watch your margin account live.</p>

        <button type="button" className="primary block" onClick={withWallet} disabled={!wallet || busy !== null}>
          {busy === 'wallet' ? 'Waiting for your wallet…' : 'Sign in with Ethereum'}
        </button>
        {!wallet && <p className="hint">No browser wallet found. Install one (e.g. MetaMask), or use a management token below.</p>}

        <div className="divider">
          <span>or</span>
        </div>

        <form onSubmit={withToken} noValidate>
          <label htmlFor="management-token">Management token</label>
          <input
            id="management-token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="kgm_…"
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
          <p className="hint">
            Operators: the token <code>keygate token create</code> or <code>npm start</code> printed. It is exchanged for a session and not kept.
          </p>
          <button type="submit" className="secondary block" disabled={busy !== null || token.trim() === ''}>
            {busy === 'token' ? 'Checking…' : 'Sign in with token'}
          </button>
        </form>

        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </main>
  );
}
