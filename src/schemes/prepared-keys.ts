import type { ApiKey } from '../core/api-key.ts';

/**
 * Verification material derived from a stored key (a parsed public key, an opened secret), kept
 * as long as the key object itself: the verifier's cache holds the same object until it expires or
 * the key changes, so each key is parsed or decrypted once per cache lifetime.
 */
export class PreparedKeys<T> {
  readonly #prepared = new WeakMap<ApiKey, T>();
  readonly #prepare: (key: ApiKey) => T;

  constructor(prepare: (key: ApiKey) => T) {
    this.#prepare = prepare;
  }

  /** The material for `key`, prepared on first use. */
  get(key: ApiKey): T {
    let value = this.#prepared.get(key);
    if (value === undefined) {
      value = this.#prepare(key);
      this.#prepared.set(key, value);
    }
    return value;
  }
}
