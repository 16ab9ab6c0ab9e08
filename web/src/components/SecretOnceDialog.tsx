import { useState } from 'react';
import type { CreatedKey } from '../api-client.ts';
import { Dialog } from './Dialog.tsx';

async function copyText(text: string, fallback: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Without the async clipboard (older browsers, insecure origins) select the text and use the legacy command.
    fallback?.select();
    return document.execCommand?.('copy') ?? false;
  }
}

/**
 * Shows a new key's secret exactly once, with a copy button; closing it loses the secret for good. So
 * it cannot be dismissed (Escape, a backdrop click, ×, Done, Use in live view) until the user confirms they stored it.
 */
export function SecretOnceDialog(props: { created: CreatedKey; onClose: () => void; onUseInLiveView: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const [stored, setStored] = useState(false);
  let input: HTMLInputElement | null = null;

  return (
    <Dialog title="Your new API key" onClose={props.onClose} describedBy="secret-warning" dismissible={stored}>
      <div className="secret-once">
        <p id="secret-warning" className="warning" role="note">
          <strong>This key is displayed only once.</strong> Copy it now and store it securely, e.g. in a password manager or secret store. Do not
          save it in plain text files. If it is lost or compromised, revoke it and create a new one.
        </p>
        <label htmlFor="new-key-secret">
          {props.created.name} <span className="muted">(ends in {props.created.tail})</span>
        </label>
        <div className="secret-row">
          <input
            id="new-key-secret"
            ref={(el) => {
              input = el;
            }}
            className="secret"
            readOnly
            value={props.created.key}
            onFocus={(e) => e.currentTarget.select()}
            spellCheck={false}
          />
          <button type="button" className="primary" data-autofocus onClick={async () => setCopied((await copyText(props.created.key, input)) ? 'yes' : 'failed')}>
            {copied === 'yes' ? 'Copied' : 'Copy'}
          </button>
        </div>
        <p className="hint" aria-live="polite">
          {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Copy failed: select the key and copy it by hand.' : '\u00a0'}
        </p>
        <label className="confirm-stored">
          <input type="checkbox" checked={stored} onChange={(event) => setStored(event.currentTarget.checked)} /> I have copied this key and stored it
          securely
        </label>
        <div className="dialog-actions">
          {/* Leaving for the live view loses the secret as surely as Done: the key is used there, never shown. */}
          <button type="button" className="secondary" disabled={!stored} onClick={props.onUseInLiveView}>
            Use in live view
          </button>
          <button type="button" className="primary" disabled={!stored} onClick={props.onClose}>
            Done
          </button>
        </div>
      </div>
    </Dialog>
  );
}
