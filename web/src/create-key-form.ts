import type { ExpiryChoice } from './key-expiry.ts';

// What the Create API Key form checks before sending, and how the server's refusals read next to its
// fields. The server checks everything again; these only spare a round trip and speak the form's words.

/** The form's fields, by the API name the server's errors use. */
export type FormField = 'name' | 'expiresAt' | 'permissions' | 'ipAllowlist' | 'allowedExchanges';
export const FORM_FIELDS: readonly FormField[] = ['name', 'expiresAt', 'permissions', 'ipAllowlist', 'allowedExchanges'];

/** How the form labels each API field in a message. */
const LABEL: Record<string, string> = {
  name: 'Name',
  expiresAt: 'Expiry date',
  expiresInSeconds: 'Expiry date',
  permissions: 'Permissions',
  ipAllowlist: 'IP allowlist',
  allowedExchanges: 'Allowed exchanges',
};

/** The longest name the server accepts. */
export const MAX_NAME_LENGTH = 100;

/** The form field a server error names (e.g. "ipAllowlist[1]" → ipAllowlist, "expiresInSeconds" → expiresAt), or null. */
export function formFieldOf(field: string | undefined): FormField | null {
  if (!field) return null;
  const base = field.replace(/[[.].*$/, '');
  if (base === 'expiresInSeconds') return 'expiresAt';
  return (FORM_FIELDS as readonly string[]).includes(base) ? (base as FormField) : null;
}

/**
 * A server message as the form shows it: the API field it starts with becomes the form's label
 * ("ipAllowlist[0] is not …" → "IP allowlist entry 1 is not …"), and it starts with a capital.
 */
export function formMessage(message: string): string {
  const said = message.replace(/^([A-Za-z]+)(?:\[(\d+)\])?(?=\s)/, (whole, name: string, index: string | undefined) => {
    const label = LABEL[name];
    if (!label) return whole;
    return index === undefined ? label : `${label} entry ${Number(index) + 1}`;
  });
  return said.charAt(0).toUpperCase() + said.slice(1);
}

/** What the form has before it is sent. */
export interface CreateFormInput {
  readonly name: string;
  readonly expiry: ExpiryChoice;
  /** YYYY-MM-DD from the date input; "" when none is picked. */
  readonly customDate: string;
}

/** Problems the form can see without asking the server, by field; empty when there are none. */
export function checkCreateForm(input: CreateFormInput, now: Date): Partial<Record<FormField, string>> {
  const problems: Partial<Record<FormField, string>> = {};
  const name = input.name.trim();
  if (name === '') problems.name = 'Name is required';
  else if (name.length > MAX_NAME_LENGTH) problems.name = `Name must be at most ${MAX_NAME_LENGTH} characters`;
  if (input.expiry === 'custom') {
    if (input.customDate === '') problems.expiresAt = 'Choose the last day the key works, or one of the other options';
    else if (input.customDate < localDay(now)) problems.expiresAt = 'The expiry date has passed; choose today or a later day';
  }
  return problems;
}

/** YYYY-MM-DD of `now` in the user's time zone (what a date input shows as today). */
export function localDay(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
