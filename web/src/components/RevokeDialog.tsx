import { useState } from 'react';
import { ApiError, type ApiClient, type KeyView } from '../api-client.ts';
import { Dialog } from './Dialog.tsx';

/** Asks before revoking: revoking is immediate, ends every session using the key, and cannot be undone. */
export function RevokeDialog(props: { api: ApiClient; apiKey: KeyView; onClose: () => void; onRevoked: (key: KeyView) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      props.onRevoked(await props.api.revokeKey(props.apiKey.id));
    } catch (e) {
      setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Revoke API key?" onClose={props.onClose} describedBy="revoke-explain">
      <p id="revoke-explain">
        Revoke <strong>{props.apiKey.name}</strong> (key ending in <code>{props.apiKey.tail}</code>)? It stops working at once and every connection using it is closed.
        This cannot be undone.
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="secondary" data-autofocus onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={revoke} disabled={busy}>
          {busy ? 'Revoking…' : 'Revoke key'}
        </button>
      </div>
    </Dialog>
  );
}
