import type { Broker } from '../bus/broker.ts';
import type { Refusal } from '../core/verdict.ts';
import type { SignatureWindow } from './signature-window.ts';

/**
 * The space a key's signatures are claimed in: `<scheme>:<key lookup>`, built once per cache load.
 * The key is part of it because whoever holds a key may craft signatures with it: an uploaded RSA key
 * with exponent 3 and a modulus built for the purpose verified a signature whose last 32 bytes were
 * any chosen ones, such as those of another key's request seen in transit. With the key in the claim,
 * such a signature can only collide with its own key's claims.
 */
export function claimSpace(scheme: string, lookup: string): string {
  return `${scheme}:${lookup}`;
}

/**
 * Accepts each signature once. The claim outlives the whole time its timestamp is accepted in (from
 * `futureMs` before it to `pastMs` after it), so a captured request cannot be replayed while it would
 * still pass the clock check.
 * On Redis the claim is shared, so a replay to another node is refused too. The claim is keyed on the
 * signature's bytes, not its text: hex case and base64 padding or spare bits spell the same bytes many
 * ways, and each spelling would otherwise be a fresh claim.
 */
export function claimSignature(broker: Broker, space: string, signature: Buffer, window: SignatureWindow, signedAt: number): Refusal | null | Promise<Refusal | null> {
  // The claims made before the replay store last came back may be gone (a restarted Redis, a restarted
  // node on the in-memory bus). Any request accepted before then was timestamped at most `futureMs`
  // after it, so nobody can say such a request was not used already. The client's next request,
  // signed a moment later, passes. (Nodes sharing Redis are assumed to agree on the time: one whose
  // clock runs δ ahead of another's widens this by δ.)
  if (signedAt <= broker.claimsSince + window.futureMs) return UNPROVABLE;
  const first = broker.claimOnce(space, signature, window.pastMs + window.futureMs + 1000);
  if (typeof first === 'boolean') return refusalOf(first);
  // Asked again once answered: a claim sent just before a reconnect is sent again on the new link and
  // may have been made on another server (a failover), which holds none of the claims before it.
  return first.then((fresh) => (signedAt <= broker.claimsSince + window.futureMs ? UNPROVABLE : refusalOf(fresh)));
}

const UNPROVABLE: Refusal = {
  code: 'REPLAYED',
  callerFailure: false,
  message: 'this signed request may have been used before the replay store came back; sign it again with a fresh timestamp',
};
const REPLAYED: Refusal = { code: 'REPLAYED', message: 'this signed request was already used; sign every request with a fresh timestamp' };

/** A claim's answer as the guard's: made first (null) or already made. One function, not a closure per claim on the in-memory bus. */
function refusalOf(first: boolean): Refusal | null {
  return first ? null : REPLAYED;
}
