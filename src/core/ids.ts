import { randomUUID } from 'node:crypto';

/** Produces identifiers; injected so tests can make them predictable. */
export interface IdSource {
  uuid(): string;
}

export const randomIds: IdSource = { uuid: () => randomUUID() };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID string (any version), as key ids and spec 001's key pairs are written. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
