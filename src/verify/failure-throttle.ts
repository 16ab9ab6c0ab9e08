import { ErrorCode, KeygateError } from '../core/errors.ts';
import type { Broker } from '../bus/broker.ts';
import { addressBucket } from '../core/address-bucket.ts';

/** Each address's budget of failed attempts lasts one minute. */
const WINDOW_MS = 60_000;

/**
 * A per-address budget of failed credential attempts, counted on the broker so every node sees the
 * same total. Scopes keep budgets apart (API keys, management sign-in, wallet signatures). An IPv6
 * client is counted per /64 (addressBucket): it can send from any address of its network.
 */
export class FailureThrottle {
  readonly #broker: Pick<Broker, 'hit' | 'hits'>;
  readonly #limit: number;

  /** `broker` counts the failures: pass WindowCounters so throttling goes on (per node) while the bus is down. */
  constructor(broker: Pick<Broker, 'hit' | 'hits'>, failuresPerMinute: number) {
    this.#broker = broker;
    this.#limit = failuresPerMinute;
  }

  /** Throws RATE_LIMITED when `ip` has spent its budget in `scope`. */
  async assertAllowed(scope: string, ip: string | null, message: string): Promise<void> {
    if (ip !== null) await this.assertAllowedFor(scope, addressBucket(ip), message);
  }

  /** Counts one failure; true when the budget is now spent. */
  async recordFailure(scope: string, ip: string | null): Promise<boolean> {
    return ip === null ? false : this.recordFailureFor(scope, addressBucket(ip));
  }

  /** Throws RATE_LIMITED when `subject` (an address's bucket, or a user id) has spent its budget in `scope`. */
  async assertAllowedFor(scope: string, subject: string, message: string): Promise<void> {
    if ((await this.#broker.hits(`${scope}:${subject}`, WINDOW_MS)) >= this.#limit) throw new KeygateError(ErrorCode.RATE_LIMITED, message);
  }

  /** Counts one failure of `subject` in `scope`; true when its budget is now spent. */
  async recordFailureFor(scope: string, subject: string): Promise<boolean> {
    return (await this.#broker.hit(`${scope}:${subject}`, WINDOW_MS)) >= this.#limit;
  }

  /**
   * Spends one unit of `ip`'s budget in `scope` for something that always costs (a stored row), or
   * throws RATE_LIMITED once it is spent. One atomic increment decides, so concurrent requests from
   * one address can never together get past the limit (a check and then a count could).
   */
  async spend(scope: string, ip: string | null, message: string): Promise<void> {
    if (ip !== null) await this.spendFor(scope, addressBucket(ip), message);
  }

  /** `spend` for any subject (an address's bucket, or a user id). */
  async spendFor(scope: string, subject: string, message: string): Promise<void> {
    if ((await this.#broker.hit(`${scope}:${subject}`, WINDOW_MS)) > this.#limit) throw new KeygateError(ErrorCode.RATE_LIMITED, message);
  }

  /**
   * Runs an authentication attempt within the budget: refused up front once the budget is spent,
   * and counted (then `onFailure`) when it throws one of `failureCodes`.
   */
  async guard<T>(
    scope: string,
    ip: string | null,
    attempt: () => Promise<T>,
    options: { message: string; failureCodes: readonly ErrorCode[]; onFailure?: (error: KeygateError) => Promise<void> },
  ): Promise<T> {
    await this.assertAllowed(scope, ip, options.message);
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof KeygateError && options.failureCodes.includes(error.code)) {
        await this.recordFailure(scope, ip);
        await options.onFailure?.(error);
      }
      throw error;
    }
  }
}
