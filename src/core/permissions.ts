import { badInput } from './errors.ts';

export interface PermissionDefinition {
  readonly name: string;
  readonly description: string;
}

/**
 * The default catalog: `read` guards maintenance data (spec 000), `info`/`trade` back spec 001's
 * isInfo/isTrade, and `read`/`write`/`write::transfer` are spec 004's scopes.
 */
export const DEFAULT_PERMISSIONS: readonly PermissionDefinition[] = [
  { name: 'read', description: 'Read account data and subscribe to maintenance updates' },
  { name: 'write', description: 'Place and cancel orders' },
  { name: 'write::transfer', description: 'Move funds between accounts' },
  { name: 'info', description: 'Retrieve market data' },
  { name: 'trade', description: 'Place orders on the exchange' },
];

/** Validates requested permissions against the catalog; returns them de-duplicated in catalog order. */
export function validatePermissions(
  requested: readonly unknown[],
  catalog: readonly PermissionDefinition[],
  field = 'permissions',
): string[] {
  const known = new Set(catalog.map((p) => p.name));
  for (const [index, permission] of requested.entries()) {
    if (typeof permission !== 'string' || !known.has(permission)) {
      const expected = `expected one of: ${[...known].join(', ')}`;
      throw badInput(
        field,
        `${field}[${index}] ${JSON.stringify(permission)} is not a known permission; ${expected}`,
        `${field}[${index}] is not a known permission; ${expected}`,
      );
    }
  }
  const wanted = new Set(requested as string[]);
  return catalog.map((p) => p.name).filter((name) => wanted.has(name));
}

/** True when the granted set contains the required permission. */
export function hasPermission(granted: readonly string[], required: string): boolean {
  return granted.includes(required);
}

/** The first of `required` (one permission or several; empty ones ignored) that `granted` lacks, if any. */
export function missingPermission(granted: readonly string[], required: string | readonly string[] | undefined): string | undefined {
  if (typeof required === 'string') return required && !granted.includes(required) ? required : undefined;
  return required?.find((permission) => permission && !granted.includes(permission));
}
