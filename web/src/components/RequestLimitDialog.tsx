import { useRef, useState, type FormEvent } from 'react';
import type { ApiClient, KeyView } from '../api-client.ts';
import { parseRequestLimit } from '../request-limit.ts';
import { Dialog } from './Dialog.tsx';
import { FieldError } from './FieldError.tsx';
import { FormActions } from './FormActions.tsx';

/** Sets a key's own request limit (verified requests per minute), or hands it back to its tier's; admins only. */
export function RequestLimitDialog(props: { api: ApiClient; apiKey: KeyView; onClose: () => void; onSaved: (key: KeyView) => void }) {
  const [text, setText] = useState(props.apiKey.requestsPerMinute === null ? '' : String(props.apiKey.requestsPerMinute));
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseRequestLimit(text);
    if ('error' in parsed) {
      setFieldError(parsed.error);
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      props.onSaved(await props.api.setKeyRequestLimit(props.apiKey.id, parsed.limit));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Request limit" onClose={props.onClose} describedBy="limit-explain">
      <form className="form" onSubmit={save} noValidate>
        <p id="limit-explain">
          Verified requests per minute for <strong>{props.apiKey.name}</strong> (key ending in <code>{props.apiKey.tail}</code>), across every node. Requests over
          it are refused with 429. Leave it empty for the key&apos;s tier limit.
        </p>
        <div className="field">
          <label htmlFor="key-limit">Requests per minute</label>
          <input
            id="key-limit"
            ref={input}
            data-autofocus
            inputMode="numeric"
            value={text}
            placeholder="Tier limit"
            onChange={(e) => {
              setFieldError(undefined);
              setText(e.target.value);
            }}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? 'limit-explain limit-error' : 'limit-explain'}
          />
          <FieldError id="limit-error" message={fieldError} />
        </div>
        <FormActions error={error} busy={busy} label="Save limit" busyLabel="Saving…" onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
