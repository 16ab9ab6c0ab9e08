import { badInput } from './errors.ts';

/** Spec 004's scopes, each a catalog permission the verifier enforces. */
export const TRADING_SCOPES = ['read', 'write', 'write::transfer'] as const;
/** What a key gets when the request names no scopes: full trading access. */
export const DEFAULT_TRADING_SCOPES: readonly string[] = ['read', 'write'];

/** Checks requested scopes (default read+write): only known scopes, and `write` only together with `read`. */
export function validateTradingScopes(requested: readonly unknown[] | undefined, field = 'scopes'): string[] {
  if (requested === undefined) return [...DEFAULT_TRADING_SCOPES];
  if (requested.length === 0) throw badInput(field, `${field} must name at least one scope (${TRADING_SCOPES.join(', ')}) or be left out for ["read","write"]`);
  for (const [index, scope] of requested.entries()) {
    if (typeof scope !== 'string' || !(TRADING_SCOPES as readonly string[]).includes(scope)) {
      const expected = `expected one of: ${TRADING_SCOPES.join(', ')}`;
      throw badInput(field, `${field}[${index}] ${JSON.stringify(scope)} is not a scope; ${expected}`, `${field}[${index}] is not a scope; ${expected}`);
    }
  }
  const scopes = new Set(requested as string[]);
  if (scopes.has('write') && !scopes.has('read')) throw badInput(field, `${field} includes "write", which requires "read" as well`);
  return TRADING_SCOPES.filter((s) => scopes.has(s));
}
