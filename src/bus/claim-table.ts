import { randomInt } from 'node:crypto';
import { CLAIMED_BYTES, claimedFrom } from './signature-claim.ts';

/**
 * How many of the claimed bytes a slot keeps: the last 16. Two genuine signatures of one key share
 * them with odds of 2^-128, and making two that do takes the key's holder some 2^64 signatures and
 * refuses only that holder's own second request; a slot of 32 bytes instead of 48 keeps a third less
 * memory per claim.
 */
const KEPT_BYTES = 16;
/** The kept bytes as 32-bit words: how a slot stores them and a lookup compares them. */
const WORDS = KEPT_BYTES / 4;
/** The fewest slots a generation starts with (32 KB). */
const MIN_SLOTS = 1024;

/** The words of the signature being claimed, read once per claim. */
const probe = new Int32Array(WORDS);

/**
 * One generation of claims: an open-addressing table over typed arrays, kept at most half full.
 * A slot is empty while its space is undefined.
 */
class Generation {
  readonly words: Int32Array;
  readonly until: Float64Array;
  readonly spaces: Array<string | undefined>;
  readonly mask: number;
  size = 0;

  constructor(slots: number) {
    this.words = new Int32Array(slots * WORDS);
    this.until = new Float64Array(slots);
    this.spaces = new Array<string | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
  }

  /** The slot holding the probe's words in `space`, or -1. */
  find(space: string, start: number): number {
    const { words, spaces, mask } = this;
    for (let slot = start; ; slot = (slot + 1) & mask) {
      const held = spaces[slot];
      if (held === undefined) return -1;
      if (sameWords(words, slot * WORDS) && held === space) return slot;
    }
  }

  /** Puts the words at `source[at]` in `space` into the first free slot from `start` (the caller knows they are not here). */
  insert(space: string, start: number, until: number, source: Int32Array, at: number): void {
    let slot = start;
    while (this.spaces[slot] !== undefined) slot = (slot + 1) & this.mask;
    for (let i = 0; i < WORDS; i++) this.words[slot * WORDS + i] = source[at + i];
    this.until[slot] = until;
    this.spaces[slot] = space;
    this.size += 1;
  }
}

function sameWords(words: Int32Array, at: number): boolean {
  for (let i = 0; i < WORDS; i++) if (words[at + i] !== probe[i]) return false;
  return true;
}

/** The fewest slots, a power of two, that keep `claims` at most half of them. */
function slotsFor(claims: number): number {
  let slots = MIN_SLOTS;
  while (slots < claims * 2) slots *= 2;
  return slots;
}

/**
 * The replay claims of one process (the in-memory bus): each signature is accepted once per space
 * (a key) until its TTL ends. Claims are fingerprints in typed arrays, not a Map of strings: a signed
 * request then allocates nothing to be remembered, where a string per claim, kept for the window,
 * was half the cost of a cached HMAC check (hashing it, and the collector moving a minute's worth of them).
 * Claims live in two generations: the current one takes new claims; every `period` (the longest TTL
 * asked for) it becomes the previous one and the previous one is dropped whole. A claim made in a
 * generation is thereby kept at least `period` and at most twice that, and memory follows the rate of
 * signed requests, never their history: a slot is 32 bytes, a generation at most half full and sized
 * for the one before it, so a node taking r signed requests a second for a 31 s TTL holds about
 * 2 × r × 31 claims in 64–128 bytes each (some 40–80 MB at 10,000 a second). Each claim keeps its own
 * expiry, so it counts for exactly its TTL.
 */
export class ClaimTable {
  readonly #seed = randomInt(0x7fffffff);
  #current = new Generation(MIN_SLOTS);
  #previous: Generation | null = null;
  #openedAt: number;
  #period = 0;

  /** `now` is when the table starts (its first generation opens then). */
  constructor(now: number) {
    this.#openedAt = now;
  }

  /** Claims `signature` in `space` for `ttlMs`: true when no earlier claim of the same bytes there still lives, else false. */
  claim(space: string, signature: Buffer, ttlMs: number, now: number): boolean {
    this.#rotate(now, ttlMs);
    const from = claimedFrom(signature) + CLAIMED_BYTES - KEPT_BYTES;
    for (let i = 0; i < WORDS; i++) probe[i] = signature.readInt32LE(from + i * 4);
    const hash = this.#hash(probe, 0);
    const current = this.#current;
    const at = current.find(space, hash & current.mask);
    if (at >= 0) {
      if (current.until[at] > now) return false;
      current.until[at] = now + ttlMs;
      return true;
    }
    const previous = this.#previous;
    if (previous !== null) {
      const was = previous.find(space, hash & previous.mask);
      if (was >= 0 && previous.until[was] > now) return false;
    }
    if ((current.size + 1) * 2 > current.spaces.length) this.#grow(now);
    this.#current.insert(space, hash & this.#current.mask, now + ttlMs, probe, 0);
    return true;
  }

  /** Live and lapsed claims held now (both generations): what memory follows. */
  get size(): number {
    return this.#current.size + (this.#previous?.size ?? 0);
  }

  #rotate(now: number, ttlMs: number): void {
    if (ttlMs > this.#period) this.#period = ttlMs;
    if (now < this.#openedAt + this.#period) return;
    const retiring = this.#current;
    // Every claim in `retiring` was made before its period ended, with a TTL no longer than the period:
    // once a second period has passed too, all of them have lapsed.
    this.#previous = now < this.#openedAt + 2 * this.#period ? retiring : null;
    this.#current = new Generation(slotsFor(retiring.size));
    this.#openedAt = now;
  }

  /** Moves the current generation's live claims into one twice its size. */
  #grow(now: number): void {
    const old = this.#current;
    const grown = new Generation(old.spaces.length * 2);
    for (let slot = 0; slot < old.spaces.length; slot++) {
      const space = old.spaces[slot];
      if (space === undefined || old.until[slot] <= now) continue;
      grown.insert(space, this.#hash(old.words, slot * WORDS) & grown.mask, old.until[slot], old.words, slot * WORDS);
    }
    this.#current = grown;
  }

  /**
   * A slot index from every kept word, mixed with a seed of this process. What keeps anyone from
   * piling claims into one run of slots is that a valid signature's bytes cannot be chosen; mixing
   * all four words makes two signatures start at one slot only by chance, and the seed makes the
   * layout differ from process to process.
   */
  #hash(words: Int32Array, at: number): number {
    let h = this.#seed;
    for (let i = 0; i < WORDS; i++) {
      h = Math.imul(h ^ words[at + i], 0x9e3779b1);
      h ^= h >>> 15;
    }
    return h >>> 0;
  }
}
