/** The expiry choices of the Create API Key form (spec 000: predefined options or a custom date). */
export const EXPIRY_PRESETS = [
  { id: '7d', label: '7 days', days: 7 },
  { id: '30d', label: '30 days', days: 30 },
  { id: '90d', label: '90 days', days: 90 },
  { id: 'never', label: 'No expiry', days: null },
  { id: 'custom', label: 'Custom date', days: null },
] as const;

export type ExpiryChoice = (typeof EXPIRY_PRESETS)[number]['id'];

/**
 * The `expiresAt` to send for a choice: presets count whole days from `now`; a custom date (YYYY-MM-DD, as a
 * date input gives it) lasts to the end of that day in the user's time zone. An unreadable custom date is
 * sent as typed so the server names the field in its error.
 */
export function expiresAtFor(choice: ExpiryChoice, customDate: string, now: Date): string | null {
  if (choice === 'never') return null;
  if (choice === 'custom') {
    const end = new Date(`${customDate}T23:59:59`);
    return Number.isNaN(end.getTime()) ? customDate : end.toISOString();
  }
  const preset = EXPIRY_PRESETS.find((p) => p.id === choice);
  return new Date(now.getTime() + (preset?.days ?? 0) * 86_400_000).toISOString();
}

/** A date for the key table, e.g. "Nov 22, 2026"; a dash when there is none. */
export function formatDay(iso: string | null, none = '—'): string {
  if (!iso) return none;
  return new Date(iso).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' });
}

/** A moment for "last used", e.g. "Nov 22, 2026, 04:35"; "Never" when unused. */
export function formatMoment(iso: string | null): string {
  if (!iso) return 'Never';
  return new Date(iso).toLocaleString('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

/** Splits a comma, space or newline separated list typed into a field. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
