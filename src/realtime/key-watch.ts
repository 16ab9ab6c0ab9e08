import type { Logger } from 'pino';
import { keyEndsAt, type ApiKey } from '../core/api-key.ts';
import type { KeyEvent } from '../core/key-event.ts';
import type { Clock } from '../core/clock.ts';
import { noMetrics, type Metrics } from '../core/metrics.ts';
import type { Verifier } from '../verify/verifier.ts';
import { endReasonFor, type EndReason } from '../core/codes.ts';
import type { Hub } from './hub.ts';
import type { LiveSession } from './live-session.ts';

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Ends sessions whose key stops being usable: on key events from any node, and at the key's end
 * (expiry, or a revocation a roll scheduled) through one timer per key, not one per session.
 * It fails closed: when a re-check cannot complete (the store is down…), the key's sessions end
 * with `key_check_failed`, a reason clients reconnect on, so they are checked again from scratch.
 */
export class KeyWatch {
  readonly #hub: Hub;
  readonly #verifier: Verifier;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #metrics: Pick<Metrics, 'eventToClose'>;
  readonly #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** When each key last had an event, so a session that was being set up meanwhile is re-checked. */
  readonly #lastEvent = new Map<string, number>();
  /** The same for each user whose wallets changed: a key with no session here yet is not in #lastEvent for it. */
  readonly #lastUserEvent = new Map<string, number>();

  constructor(hub: Hub, verifier: Verifier, clock: Clock, logger: Logger, metrics: Pick<Metrics, 'eventToClose'> = noMetrics) {
    this.#hub = hub;
    this.#verifier = verifier;
    this.#clock = clock;
    this.#logger = logger;
    this.#metrics = metrics;
  }

  /** Starts watching a key a new session uses (schedules its end timer if it has none yet). */
  watch(key: ApiKey): void {
    this.#schedule(key);
  }

  /** Called when a session of the key ends: the timer goes when the last session does. */
  unwatch(keyId: string): void {
    if (this.#hub.hasSessions(keyId)) return;
    const entry = this.#timers.get(keyId);
    if (entry) clearTimeout(entry.timer);
    this.#timers.delete(keyId);
  }

  /** True while the key has an end timer (it has sessions here and an expiry or scheduled revocation). */
  isWatching(keyId: string): boolean {
    return this.#timers.has(keyId);
  }

  /** A moment to compare with `changedSince`, taken before a session starts authenticating. */
  mark(): number {
    return performance.now();
  }

  /** True when the key, or its owner's wallets, had an event after `mark` (the session may have been set up with stale facts). */
  changedSince(key: Pick<ApiKey, 'id' | 'userId'>, mark: number): boolean {
    return (this.#lastEvent.get(key.id) ?? -1) >= mark || (this.#lastUserEvent.get(key.userId) ?? -1) >= mark;
  }

  /** Re-checks a key whose session just started if an event raced its setup; sessions end if they must. */
  settle(key: Pick<ApiKey, 'id' | 'userId'>, mark: number): void {
    if (!this.changedSince(key, mark)) return;
    void this.recheck(key.id);
  }

  /**
   * Handles a key event from the log (after the verifier dropped its cached copy): re-checks every
   * local session of that key, or of every key of the user when the user's wallets changed.
   */
  onKeyEvent(event: KeyEvent): void {
    if (event.type === 'user_changed') this.#remember(this.#lastUserEvent, event.userId);
    const keyIds = event.type === 'user_changed' ? this.#keysOfUser(event.userId) : [event.keyId];
    for (const keyId of keyIds) {
      this.#remember(this.#lastEvent, keyId);
      if (this.#hub.hasSessions(keyId)) void this.recheck(keyId, event.at);
    }
  }

  /** The keys with live sessions on this node, by id. */
  liveKeys(): Map<string, ApiKey> {
    const keys = new Map<string, ApiKey>();
    for (const session of this.#hub.sessions()) keys.set(session.key.id, session.key);
    return keys;
  }

  #keysOfUser(userId: string): string[] {
    return [...this.liveKeys().values()].filter((key) => key.userId === userId).map((key) => key.id);
  }

  /**
   * Re-checks a key for each of its sessions (the first load is cached for the rest) and ends those
   * it no longer allows; if the re-check throws, every session of the key ends. Never rejects.
   * `eventAt` is when the key event that caused the re-check was written (event-to-close metrics).
   */
  async recheck(keyId: string, eventAt?: number): Promise<void> {
    let latest: ApiKey | null = null;
    const ended = new Map<EndReason, number>();
    const end = (session: LiveSession, reason: EndReason) => {
      session.end(reason);
      ended.set(reason, (ended.get(reason) ?? 0) + 1);
      if (eventAt !== undefined && reason !== 'key_check_failed') this.#metrics.eventToClose(reason, Math.max(0, this.#clock.now() - eventAt) / 1000);
    };
    try {
      for (const session of this.#hub.sessionsOf(keyId)) {
        if (session.closed) continue;
        const verdict = await this.#verifier.recheck(session.key, session.ip, session.requiredPermission());
        if (session.closed) continue;
        const reason = verdict.valid ? session.adoptKey(verdict.key, verdict.ownerWallets ?? []) : endReasonFor(verdict.code);
        if (verdict.valid) latest = verdict.key;
        if (reason) end(session, reason);
      }
    } catch (error) {
      // Fail closed: a session whose key cannot be re-checked may be one that must end.
      for (const session of this.#hub.sessionsOf(keyId)) end(session, 'key_check_failed');
      this.#logger.error({ err: error, keyId, sessions: ended.get('key_check_failed') ?? 0 }, 'could not re-check a key; ended its live sessions');
      latest = null;
    }
    for (const [reason, sessions] of ended) if (reason !== 'key_check_failed') this.#logger.info({ keyId, reason, sessions }, 'ended the live sessions of a key');
    if (latest && this.#hub.hasSessions(keyId)) this.#schedule(latest);
    else this.unwatch(keyId);
  }

  /** Stops every timer (shutdown). */
  stop(): void {
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  // Only the last few seconds matter (a session's setup); older entries are dropped as the map grows.
  #remember(events: Map<string, number>, id: string): void {
    const now = performance.now();
    events.set(id, now);
    if (events.size < 1024) return;
    for (const [known, at] of events) if (now - at > 30_000) events.delete(known);
  }

  #schedule(key: ApiKey): void {
    const at = keyEndsAt(key);
    const existing = this.#timers.get(key.id);
    if (existing?.at === at) return;
    if (existing) clearTimeout(existing.timer);
    this.#timers.delete(key.id);
    if (at === null) return;
    const delay = Math.min(Math.max(0, at - this.#clock.now()), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      this.#timers.delete(key.id);
      void this.recheck(key.id, at);
    }, delay);
    timer.unref();
    this.#timers.set(key.id, { at, timer });
  }
}
