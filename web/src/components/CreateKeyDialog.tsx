import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, type ApiClient, type CreatedKey, type Permission } from '../api-client.ts';
import { checkCreateForm, formFieldOf, formMessage, localDay, type FormField as Field } from '../create-key-form.ts';
import { EXPIRY_PRESETS, expiresAtFor, splitList, type ExpiryChoice } from '../key-expiry.ts';
import { Dialog } from './Dialog.tsx';
import { FieldError } from './FieldError.tsx';
import { FormActions } from './FormActions.tsx';

/** The control to focus when a field is refused (an expiry preset has no date input: its radio). */
const CONTROL: Record<Field, string> = {
  name: '#key-name',
  expiresAt: '#key-expiry-date, input[name="expiry"]:checked',
  permissions: '#key-permissions',
  ipAllowlist: '#key-ips',
  allowedExchanges: '#key-exchanges',
};

/** The Create API Key form: name, expiry preset or custom date, permissions, optional IP allowlist and exchanges. */
export function CreateKeyDialog(props: { api: ApiClient; onClose: () => void; onCreated: (key: CreatedKey) => void }) {
  const [permissions, setPermissions] = useState<Permission[]>([]);
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState<ExpiryChoice>('30d');
  const [customDate, setCustomDate] = useState('');
  const [granted, setGranted] = useState<string[]>(['read']);
  const [ipAllowlist, setIpAllowlist] = useState('');
  const [exchanges, setExchanges] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [advancedOpen, setAdvancedOpen] = useState(false);

  useEffect(() => {
    props.api.permissions().then(setPermissions, (e: Error) => setFormError(`Could not load permissions: ${e.message}`));
  }, [props.api]);

  // Editing a field clears its error; the server re-checks everything on the next submit.
  const edited = (field: Field) => setErrors((current) => (current[field] ? { ...current, [field]: undefined } : current));
  const toggle = (permission: string) => {
    edited('permissions');
    setGranted((current) => (current.includes(permission) ? current.filter((p) => p !== permission) : [...current, permission]));
  };

  /** Shows the problems next to their fields and moves focus to the first one. */
  const refuse = (problems: Partial<Record<Field, string>>) => {
    setErrors(problems);
    const first = (Object.keys(CONTROL) as Field[]).find((field) => problems[field]);
    if (first === 'ipAllowlist' || first === 'allowedExchanges') setAdvancedOpen(true);
    // After React has rendered the messages (and opened the advanced section).
    if (first) setTimeout(() => document.querySelector<HTMLElement>(CONTROL[first])?.focus(), 0);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    const problems = checkCreateForm({ name, expiry, customDate }, new Date());
    if (Object.keys(problems).length > 0) return refuse(problems);
    setBusy(true);
    setErrors({});
    try {
      const ips = splitList(ipAllowlist);
      const cex = splitList(exchanges);
      const created = await props.api.createKey({
        name: name.trim(),
        permissions: granted,
        expiresAt: expiresAtFor(expiry, customDate, new Date()),
        ...(ips.length ? { ipAllowlist: ips } : {}),
        ...(cex.length ? { allowedExchanges: cex } : {}),
      });
      props.onCreated(created);
    } catch (error) {
      const field = error instanceof ApiError ? formFieldOf(error.field) : null;
      const message = error instanceof Error ? formMessage(error.message) : String(error);
      if (field) refuse({ [field]: message });
      else setFormError(message);
    } finally {
      setBusy(false);
    }
  };

  const describedBy = (field: Field, hint?: string) => [errors[field] ? `${field}-error` : null, hint].filter(Boolean).join(' ') || undefined;

  return (
    <Dialog title="Create API Key" onClose={props.onClose} wide>
      <form className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="key-name">Token name</label>
          <input
            id="key-name"
            data-autofocus
            value={name}
            maxLength={120}
            placeholder="e.g. risk monitor"
            onChange={(e) => {
              edited('name');
              setName(e.target.value);
            }}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={describedBy('name')}
          />
          <FieldError id="name-error" message={errors.name} />
        </div>

        <fieldset className="field" aria-describedby={describedBy('expiresAt')}>
          <legend>Expiration</legend>
          <div className="segmented">
            {EXPIRY_PRESETS.map((preset) => (
              <label key={preset.id} className={expiry === preset.id ? 'selected' : undefined}>
                <input type="radio" name="expiry" value={preset.id} checked={expiry === preset.id} onChange={() => {
                    edited('expiresAt');
                    setExpiry(preset.id);
                  }} />
                {preset.label}
              </label>
            ))}
          </div>
          {expiry === 'custom' && (
            <>
              <label htmlFor="key-expiry-date" className="sub-label">
                Expires at the end of
              </label>
              <input id="key-expiry-date" type="date" value={customDate} min={localDay(new Date())} onChange={(e) => {
                  edited('expiresAt');
                  setCustomDate(e.target.value);
                }} aria-invalid={errors.expiresAt ? true : undefined} aria-describedby={describedBy('expiresAt')} />
            </>
          )}
          <FieldError id="expiresAt-error" message={errors.expiresAt} />
        </fieldset>

        <fieldset className="field" aria-describedby={describedBy('permissions')}>
          <legend>Permissions</legend>
          <div className="checks" id="key-permissions" tabIndex={-1}>
            {permissions.map((p) => (
              <label key={p.name} className="check">
                <input type="checkbox" name="permissions" value={p.name} checked={granted.includes(p.name)} onChange={() => toggle(p.name)} />
                <span>
                  <strong>{p.name}</strong>
                  <span className="muted"> — {p.description}</span>
                </span>
              </label>
            ))}
          </div>
          <FieldError id="permissions-error" message={errors.permissions} />
        </fieldset>

        <details className="advanced" open={advancedOpen || Boolean(errors.ipAllowlist || errors.allowedExchanges)} onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}>
          <summary>Advanced: IP allowlist and exchanges</summary>
          <div className="field">
            <label htmlFor="key-ips">IP allowlist (optional)</label>
            <textarea
              id="key-ips"
              rows={2}
              value={ipAllowlist}
              placeholder="203.0.113.7, 198.51.100.0/24, 2001:db8::/32"
              onChange={(e) => {
                edited('ipAllowlist');
                setIpAllowlist(e.target.value);
              }}
              aria-invalid={errors.ipAllowlist ? true : undefined}
              aria-describedby={describedBy('ipAllowlist', 'ips-hint')}
            />
            <p id="ips-hint" className="hint">
              Addresses or CIDR ranges, separated by commas or lines. Empty allows any address.
            </p>
            <FieldError id="ipAllowlist-error" message={errors.ipAllowlist} />
          </div>
          <div className="field">
            <label htmlFor="key-exchanges">Allowed exchanges (optional)</label>
            <input
              id="key-exchanges"
              value={exchanges}
              placeholder="binance, okx  (or * for all)"
              onChange={(e) => {
                edited('allowedExchanges');
                setExchanges(e.target.value);
              }}
              aria-invalid={errors.allowedExchanges ? true : undefined}
              aria-describedby={describedBy('allowedExchanges')}
            />
            <FieldError id="allowedExchanges-error" message={errors.allowedExchanges} />
          </div>
        </details>

        <FormActions error={formError} busy={busy} label="Create API Key" busyLabel="Creating…" onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
