import type { Logger } from 'pino';
import { keyStatus, type ApiKey } from '../core/api-key.ts';
import type { BackendHealth } from '../core/backend-health.ts';
import { isBackendUnavailable } from '../core/backend-unavailable.ts';
import type { Clock } from '../core/clock.ts';
import type { ApiKeyRepository } from '../store/api-key-repository.ts';
import type { Verifier } from '../verify/verifier.ts';
import type { KeyWatch } from './key-watch.ts';

/** Every live key on a node is read again from the store this often (the README states it). */
export const KEY_SWEEP_EVERY_MS = 30_000;

/** What one sweep found. */
export interface SweepResult {
  /** Keys with live sessions that were read. */
  readonly checked: number;
  /** Keys whose sessions held something the store no longer says: an event never reached this node. */
  readonly stale: number;
  /** Keys whose end (expiry, a roll's grace) has passed: their timer's work, done here if it has not run yet. */
  readonly ended: number;
}

/** What a sweep reads and acts through. */
export interface KeySweepDependencies {
  readonly keyWatch: Pick<KeyWatch, 'liveKeys' | 'recheck'>;
  readonly verifier: Pick<Verifier, 'forget'>;
  readonly keys: Pick<ApiKeyRepository, 'findByIds'>;
  readonly health: BackendHealth;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'warn' | 'error'>;
  readonly everyMs?: number;
}

/**
 * The last line of defence behind the key event log: every 30 s, the keys with live sessions on this
 * node are read in one store query and compared with what the sessions hold. A key that is gone,
 * revoked, expired or changed has its cached copy dropped and its sessions re-checked, so even a bug
 * elsewhere cannot keep a revoked key's session alive for longer than one period.
 */
export class KeySweep {
  readonly #deps: KeySweepDependencies;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<SweepResult> | null = null;

  constructor(deps: KeySweepDependencies) {
    this.#deps = deps;
  }

  /** Starts sweeping every period. */
  start(): void {
    this.#timer = setInterval(() => void this.run(), this.#deps.everyMs ?? KEY_SWEEP_EVERY_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Sweeps now (one at a time); a store outage is reported to its health and the sweep skipped. */
  run(): Promise<SweepResult> {
    this.#running ??= this.#sweep().finally(() => (this.#running = null));
    return this.#running;
  }

  async #sweep(): Promise<SweepResult> {
    const { keyWatch, verifier, keys, health, clock, logger } = this.#deps;
    const live = keyWatch.liveKeys();
    if (live.size === 0) return { checked: 0, stale: 0, ended: 0 };
    let fresh: Map<string, ApiKey>;
    try {
      fresh = await keys.findByIds([...live.keys()]);
      health.ok();
    } catch (error) {
      if (isBackendUnavailable(error)) health.failed(error);
      else logger.error({ err: error }, 'could not re-read the keys of live sessions');
      return { checked: 0, stale: 0, ended: 0 };
    }
    const now = clock.now();
    let stale = 0;
    let ended = 0;
    for (const [id, held] of live) {
      const stored = fresh.get(id);
      const same = stored !== undefined && sameAccess(held, stored);
      if (same && keyStatus(stored, now) === 'active') continue;
      if (same) ended += 1;
      else stale += 1;
      verifier.forget(held.scheme, held.lookup);
      keyWatch.recheck(id).catch((error: unknown) => logger.error({ err: error, keyId: id }, 'could not re-check a key'));
    }
    if (stale > 0) logger.warn({ keys: stale }, 'the periodic re-check found live sessions holding outdated keys (a key event did not reach this node); re-checked them');
    return { checked: live.size, stale, ended };
  }
}

/** True when two copies of a key grant the same access. */
function sameAccess(a: ApiKey, b: ApiKey): boolean {
  return (
    a.lookup === b.lookup &&
    a.revokedAt === b.revokedAt &&
    a.deletedAt === b.deletedAt &&
    a.expiresAt === b.expiresAt &&
    a.tier === b.tier &&
    a.maxConnections === b.maxConnections &&
    sameList(a.permissions, b.permissions) &&
    sameList(a.ipAllowlist, b.ipAllowlist) &&
    sameList(a.allowedExchanges, b.allowedExchanges)
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
