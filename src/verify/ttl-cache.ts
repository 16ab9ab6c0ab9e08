/** A bounded map whose entries lapse after a fixed time; the oldest entry goes first when full. */
export class TtlCache<K, V> {
  readonly #entries = new Map<K, { value: V; until: number }>();
  readonly #ttlMs: number;
  readonly #maxSize: number;
  /** No entry lives past this time (entries lapse when read, so `size` alone says nothing of it). */
  #latestUntil = 0;

  constructor(options: { ttlMs: number; maxSize: number }) {
    this.#ttlMs = options.ttlMs;
    this.#maxSize = options.maxSize;
  }

  get(key: K, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V, now: number): void {
    if (this.#ttlMs <= 0) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxSize) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, until: now + this.#ttlMs });
    this.#latestUntil = Math.max(this.#latestUntil, now + this.#ttlMs);
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  /** Deletes every entry whose value matches (a scan: for rare events, not the hot path). */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.#entries) if (matches(entry.value)) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  /** False when no entry can be live at `now`: a caller may then skip building the key it would look up. */
  mayHold(now: number): boolean {
    return this.#entries.size > 0 && now < this.#latestUntil;
  }

  get size(): number {
    return this.#entries.size;
  }
}
