import type { StreamPublication, StreamState } from '../bus/broker.ts';

/** What a resubscribing client gets back. */
export interface Recovery {
  readonly recovered: boolean;
  readonly publications: readonly StreamPublication[];
}

/**
 * Recovers the publications a client missed since (`epoch`, `offset`): only when the epoch is the
 * stream's and every publication after the offset is still kept; otherwise nothing, recovered false.
 */
export function recoverFrom(stream: StreamState, offset: unknown, epoch: unknown): Recovery {
  const since = typeof offset === 'number' ? offset : Number(offset ?? 0);
  if (!Number.isSafeInteger(since) || since < 0) return { recovered: false, publications: [] };
  if (typeof epoch === 'string' && epoch !== '' && epoch !== stream.epoch) return { recovered: false, publications: [] };
  if (since > stream.offset) return { recovered: false, publications: [] };
  if (since === stream.offset) return { recovered: true, publications: [] };
  const missed = stream.publications.filter((p) => p.offset > since);
  const complete = missed.length === stream.offset - since && missed[0]?.offset === since + 1;
  return complete ? { recovered: true, publications: missed } : { recovered: false, publications: [] };
}

/** The publications a history call returns: after `sinceOffset`, optionally newest first; limit 0 gives none, a negative limit all. */
export function historyWindow(stream: StreamState, options: { limit?: number; reverse?: boolean; sinceOffset?: number }): StreamPublication[] {
  let publications = stream.publications.filter((p) => options.sinceOffset === undefined || p.offset > options.sinceOffset);
  if (options.reverse) publications = publications.slice().reverse();
  const limit = options.limit ?? 0;
  return limit < 0 ? publications : publications.slice(0, limit);
}
