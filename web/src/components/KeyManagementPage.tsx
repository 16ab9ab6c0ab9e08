import { useCallback, useEffect, useState } from 'react';
import type { ApiClient, ConsoleSession, CreatedKey, KeyView } from '../api-client.ts';
import { CreateKeyDialog } from './CreateKeyDialog.tsx';
import { KeyTable } from './KeyTable.tsx';
import { RequestLimitDialog } from './RequestLimitDialog.tsx';
import { RevokeDialog } from './RevokeDialog.tsx';
import { SecretOnceDialog } from './SecretOnceDialog.tsx';

/** Whether the signed-in user may revoke a key under the organization's policy (the server decides anyway). */
export function mayRevoke(session: ConsoleSession, key: KeyView): boolean {
  if (session.user.role === 'admin') return true;
  return session.organization.revokePolicy === 'owner_or_admin' && key.ownerId === session.user.id;
}

/** Spec 000's "API Key Management" page: list and search keys, create one (shown once), revoke. */
export function KeyManagementPage(props: { api: ApiClient; session: ConsoleSession; onUseKeyLive: (key: { name: string; secret: string }) => void }) {
  const { api, session } = props;
  const [query, setQuery] = useState('');
  const [keys, setKeys] = useState<KeyView[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [revoking, setRevoking] = useState<KeyView | null>(null);
  const [limiting, setLimiting] = useState<KeyView | null>(null);
  const replace = useCallback((key: KeyView) => setKeys((current) => current.map((k) => (k.id === key.id ? key : k))), []);

  const load = useCallback(
    async (q: string) => {
      setLoading(true);
      try {
        setKeys(await api.listKeys(q));
        setError(null);
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      } finally {
        setLoading(false);
      }
    },
    [api],
  );

  // Suspending is reversible (Resume), so it needs no confirmation dialog, unlike Revoke.
  const setEnabled = useCallback(
    async (key: KeyView, enabled: boolean) => {
      try {
        replace(await api.setKeyEnabled(key.id, enabled));
        setError(null);
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      }
    },
    [api, replace],
  );

  useEffect(() => {
    const timer = setTimeout(() => void load(query), query ? 200 : 0);
    return () => clearTimeout(timer);
  }, [query, load]);

  return (
    <section className="page" aria-labelledby="page-title">
      <div className="page-head">
        <div>
          <h1 id="page-title">API Key Management</h1>
          <p className="muted">
            Keys of {session.organization.name}. {session.user.role === 'admin' ? 'As an organization admin you can set request limits, suspend, resume and revoke any key.' : 'Only organization admins can limit, suspend or revoke keys.'}
          </p>
        </div>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          Create API Key
        </button>
      </div>

      <div className="toolbar">
        <label htmlFor="key-search" className="visually-hidden">
          Search by name or tail
        </label>
        <input id="key-search" type="search" className="search" placeholder="Name or tail (last 6 characters)" value={query} onChange={(e) => setQuery(e.target.value)} />
        <span className="muted count" aria-live="polite">
          {loading ? 'Loading…' : `${keys.length} key${keys.length === 1 ? '' : 's'}`}
        </span>
      </div>

      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <KeyTable
        keys={keys}
        loading={loading}
        canRevoke={(key) => mayRevoke(session, key)}
        onRevoke={setRevoking}
        onSetEnabled={session.user.role === 'admin' ? (key, enabled) => void setEnabled(key, enabled) : undefined}
        onEditLimit={session.user.role === 'admin' ? setLimiting : undefined}
      />

      {creating && (
        <CreateKeyDialog
          api={api}
          onClose={() => setCreating(false)}
          onCreated={(key) => {
            setCreating(false);
            setCreated(key);
            void load(query);
          }}
        />
      )}
      {created && (
        <SecretOnceDialog
          created={created}
          onClose={() => setCreated(null)}
          onUseInLiveView={() => {
            props.onUseKeyLive({ name: created.name, secret: created.key });
            setCreated(null);
          }}
        />
      )}
      {limiting && (
        <RequestLimitDialog
          api={api}
          apiKey={limiting}
          onClose={() => setLimiting(null)}
          onSaved={(key) => {
            // A save that lands after its dialog was cancelled must not close another key's dialog.
            setLimiting((open) => (open?.id === key.id ? null : open));
            replace(key);
          }}
        />
      )}
      {revoking && (
        <RevokeDialog
          api={api}
          apiKey={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={(key) => {
            // A revoke that lands after its dialog was cancelled must not close another key's dialog.
            setRevoking((open) => (open?.id === key.id ? null : open));
            replace(key);
          }}
        />
      )}
    </section>
  );
}
