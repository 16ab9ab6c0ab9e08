import { useEffect, useMemo, useState } from 'react';
import { ApiClient, type ConsoleSession } from './api-client.ts';
import { AppHeader, type Page } from './components/AppHeader.tsx';
import { KeyManagementPage } from './components/KeyManagementPage.tsx';
import { LiveView } from './components/LiveView.tsx';
import { SignIn } from './components/SignIn.tsx';

const pageOf = (path: string): Page => (path.startsWith('/live') ? 'live' : 'keys');

/** The console: sign-in, then the API Key Management page and the live view. */
export function App() {
  const api = useMemo(() => new ApiClient(), []);
  const [session, setSession] = useState<ConsoleSession | null | undefined>(undefined);
  const [page, setPage] = useState<Page>(pageOf(window.location.pathname));
  // A key created in this page can be used in the live view without pasting; it lives only in memory.
  const [liveKey, setLiveKey] = useState<{ name: string; secret: string } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    api.onSessionLost = () => {
      api.useSession(null);
      setLiveKey(null);
      setSession(null);
    };
    api.currentSession().then(
      (current) => {
        api.useSession(current);
        setSession(current);
      },
      (e: Error) => setFailure(e.message),
    );
    const onPop = () => setPage(pageOf(window.location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [api]);

  const navigate = (next: Page) => {
    window.history.pushState(null, '', next === 'live' ? '/live' : '/');
    setPage(next);
  };

  const signedIn = (next: ConsoleSession) => {
    api.useSession(next);
    setSession(next);
  };

  const signOut = async () => {
    try {
      await api.signOut();
    } finally {
      api.useSession(null);
      setLiveKey(null);
      setSession(null);
    }
  };

  if (failure) return <p className="form-error page">Keygate is not reachable: {failure}</p>;
  if (session === undefined) return <p className="muted page">Loading…</p>;
  if (session === null) return <SignIn api={api} onSignedIn={signedIn} />;
  return (
    <>
      <AppHeader session={session} page={page} onNavigate={navigate} onSignOut={signOut} />
      <main>
        {page === 'keys' ? (
          <KeyManagementPage
            api={api}
            session={session}
            onUseKeyLive={(key) => {
              setLiveKey(key);
              navigate('live');
            }}
          />
        ) : (
          <LiveView session={session} offeredKey={liveKey} />
        )}
      </main>
    </>
  );
}
