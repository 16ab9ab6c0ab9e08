import { randomUUID } from 'node:crypto';

/** Produces identifiers; injected so tests can make them predictable. */
export interface IdSource {
  uuid(): string;
}

export const randomIds: IdSource = { uuid: () => randomUUID() };
