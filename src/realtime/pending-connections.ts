import { addressBucket } from '../core/address-bucket.ts';

/** A place taken by a socket that has not authenticated yet; `release` is idempotent. */
export interface PendingPlace {
  release(): void;
}

/** Why a socket got no place. */
export type PendingRefusal = 'address_full' | 'node_full';

/**
 * Counts this node's WebSocket sockets that have not authenticated yet (a Centrifuge socket until
 * its connect succeeds, a feed handshake while its key is checked), per client address and in
 * total, so idle unauthenticated sockets cannot use up the node's file descriptors. "Per address"
 * is per addressBucket: an IPv6 client's whole /64 shares one count, or it could open the node's
 * every place from addresses of its own.
 */
export class PendingConnections {
  readonly #perAddress: number;
  readonly #total: number;
  readonly #byAddress = new Map<string, number>();
  #count = 0;

  constructor(limits: { perAddress: number; total: number }) {
    this.#perAddress = limits.perAddress;
    this.#total = limits.total;
  }

  /** Takes a place for a socket from `address`, or says which limit is reached. */
  admit(address: string | undefined): PendingPlace | PendingRefusal {
    const from = address === undefined ? 'unknown' : addressBucket(address);
    const held = this.#byAddress.get(from) ?? 0;
    if (held >= this.#perAddress) return 'address_full';
    if (this.#count >= this.#total) return 'node_full';
    this.#byAddress.set(from, held + 1);
    this.#count += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#count -= 1;
        const left = (this.#byAddress.get(from) ?? 1) - 1;
        if (left <= 0) this.#byAddress.delete(from);
        else this.#byAddress.set(from, left);
      },
    };
  }

  /** Sockets holding a place now (in total, or from one address's bucket). */
  count(address?: string): number {
    return address === undefined ? this.#count : (this.#byAddress.get(addressBucket(address)) ?? 0);
  }
}
