import { keyStatus, type ApiKey } from '../core/api-key.ts';
import type { Clock } from '../core/clock.ts';
import { hasPermission } from '../core/permissions.ts';
import type { SecretBox } from '../core/secret-box.ts';
import type { Broker } from '../bus/broker.ts';
import type { KeyEvent } from '../core/key-event.ts';
import type { Config } from '../config/config-schema.ts';
import type { CredentialScheme } from '../schemes/credential-scheme.ts';
import type { RequestFacts } from '../core/request-facts.ts';
import type { ApiKeyRepository } from '../store/api-key-repository.ts';
import type { FailureThrottle } from './failure-throttle.ts';
import { cacheEntry, cacheKey, type CachedKey, type VerifierCaches } from './caches.ts';
import type { LastUsedRecorder } from './last-used-recorder.ts';
import { refuse, type Verdict } from '../core/verdict.ts';
import type { Metrics } from '../core/metrics.ts';

export interface VerifyOptions {
  /** Permission the request needs, if any. */
  readonly permission?: string;
}

export interface VerifierDependencies {
  readonly schemes: readonly CredentialScheme[];
  readonly keys: Pick<ApiKeyRepository, 'findByLookup' | 'findById'>;
  /** Loads a key owner's wallets with the key, so a cached key connects to real time without a store read. */
  readonly owners: { walletsOf(userId: string): Promise<readonly string[]> };
  /** Replay claims of signed requests: with the bus down these fail closed (UNAVAILABLE, never a possible replay accepted). */
  readonly broker: Broker;
  /** Per-key request counters (rate limits); they fall back to counting on this node while the bus is down. */
  readonly counters: Pick<Broker, 'hit'>;
  readonly caches: VerifierCaches;
  readonly clock: Clock;
  readonly secrets: SecretBox;
  readonly lastUsed: Pick<LastUsedRecorder, 'record'>;
  readonly throttle: FailureThrottle;
  readonly settings: Pick<Config['verify'], 'signatureWindowMs'>;
  readonly tiers: Config['keys']['tiers'];
  /** Observer of verifications and cache lookups (GET /metrics); none by default. */
  readonly metrics?: Pick<Metrics, 'verified' | 'cacheLookup'>;
}

/**
 * The one verifier every surface uses. Order: format → unknown cache → known cache →
 * throttle → store → proof → revoked → expired → suspended → IP → permission → limits. Expected refusals are verdicts, never throws.
 */
export class Verifier {
  readonly #deps: VerifierDependencies;

  constructor(deps: VerifierDependencies) {
    this.#deps = deps;
  }

  /** Verifies the credential a request carries. */
  async verify(facts: RequestFacts, options: VerifyOptions = {}): Promise<Verdict> {
    const metrics = this.#deps.metrics;
    if (!metrics) return this.#verify(facts, options);
    const started = performance.now();
    const verdict = await this.#verify(facts, options);
    metrics.verified(verdict.key?.scheme ?? 'unknown', verdict.code, (performance.now() - started) / 1000);
    return verdict;
  }

  async #verify(facts: RequestFacts, options: VerifyOptions): Promise<Verdict> {
    const found = this.#extract(facts);
    if (found.kind === 'absent') return refuse('MISSING', 'no API key was presented');
    if (found.kind === 'malformed') return refuse('MALFORMED', found.message);

    // Throttling guards the expensive steps (store lookups, signature checks); answers served
    // from the caches stay cheap and keep their normal codes.
    const cached = this.#cached(found.scheme, found.lookup);
    if (cached === 'unknown') return refuse('NOT_FOUND', 'unknown API key');
    if (this.#isThrottled(facts.ip) && (!cached || found.scheme.signed)) {
      return refuse('RATE_LIMITED', 'too many failed attempts from this address; try again later');
    }
    const loaded = cached ?? (await this.#load(found.scheme, found.lookup));
    if (!loaded) return this.#failed(facts, refuse('NOT_FOUND', 'unknown API key'));

    const refusal = await found.scheme.prove(found.claim, loaded.key, facts, this.#proofContext());
    if (refusal) return this.#failed(facts, refuse(refusal.code, refusal.message, loaded.key));
    return this.#checkPolicy(loaded, facts.ip, options.permission);
  }

  /** Re-checks an already-loaded key (live sessions) against revocation, expiry, IP and permission. */
  async recheck(key: ApiKey, ip: string | undefined, permission?: string): Promise<Verdict> {
    const scheme = this.#schemeOf(key.scheme);
    const cached = this.#cached(scheme, key.lookup);
    const fresh = cached === 'unknown' ? null : (cached ?? (await this.#load(scheme, key.lookup)));
    if (!fresh || fresh.key.id !== key.id) return refuse('REVOKED', 'API key was revoked', key);
    return this.#checkPolicy(fresh, ip, permission, false);
  }

  /** Re-checks a key known only by id (a connection token), from the cache when it holds the key. */
  async recheckById(keyId: string, ip: string | undefined): Promise<Verdict> {
    const { caches, clock, keys } = this.#deps;
    const id = caches.knownIds.get(keyId, clock.now());
    const cached = id === undefined ? undefined : caches.known.get(id, clock.now());
    if (cached) return this.#checkPolicy(cached, ip, undefined, false);
    const key = await keys.findById(keyId);
    if (!key) return refuse('NOT_FOUND', 'unknown API key');
    return this.#checkPolicy(await this.#remember(key), ip, undefined, false);
  }

  /** Drops cached state after a key event from the log: the key's, or every key of a user whose wallets changed. */
  onKeyEvent(event: KeyEvent): void {
    if (event.type === 'user_changed') return this.#deps.caches.known.deleteWhere((entry) => entry.key.userId === event.userId);
    this.forget(event.scheme, event.lookup);
  }

  /** Drops what is cached about one credential, so the next use reads the store. */
  forget(scheme: string, lookup: string): void {
    const id = cacheKey(scheme, lookup);
    this.#deps.caches.known.delete(id);
    this.#deps.caches.unknown.delete(id);
  }

  /** Drops every cached key (the node lost track of the event log, so any of them may be stale). */
  forgetAll(): void {
    this.#deps.caches.known.clear();
    this.#deps.caches.unknown.clear();
  }

  // Synchronous unless a rate limit must be counted on the broker: a cached key costs no extra await.
  #checkPolicy(loaded: CachedKey, ip: string | undefined, permission: string | undefined, countUse = true): Verdict | Promise<Verdict> {
    const { key, allowlist } = loaded;
    const now = this.#deps.clock.now();
    const status = keyStatus(key, now);
    if (status === 'revoked') return refuse('REVOKED', 'API key was revoked', key);
    if (status === 'expired') return refuse('EXPIRED', 'API key has expired', key);
    if (!key.enabled) return refuse('DISABLED', 'API key is suspended; an admin can resume it', key);
    if (!allowlist.allows(ip)) return refuse('IP_NOT_ALLOWED', `requests from ${ip ?? 'an unknown address'} are not allowed for this key`, key);
    if (permission && !hasPermission(key.permissions, permission)) {
      return refuse('INSUFFICIENT_PERMISSIONS', `API key lacks the "${permission}" permission`, key);
    }
    if (!countUse) return this.#valid(loaded);
    const perMinute = this.#deps.tiers[key.tier]?.requestsPerMinute ?? null;
    if (perMinute === null) {
      this.#deps.lastUsed.record(key.id, now);
      return this.#valid(loaded);
    }
    return this.#deps.counters.hit(`rate:${key.id}`, 60_000).then((hits) => {
      if (hits > perMinute) return refuse('RATE_LIMITED', `API key exceeded ${perMinute} requests per minute`, key);
      this.#deps.lastUsed.record(key.id, now);
      return this.#valid(loaded);
    });
  }

  #valid(loaded: CachedKey): Verdict {
    return { valid: true, code: 'VALID', message: 'API key is valid', key: loaded.key, ownerWallets: loaded.ownerWallets };
  }

  #extract(facts: RequestFacts):
    | { kind: 'absent' }
    | { kind: 'malformed'; message: string }
    | { kind: 'claim'; scheme: CredentialScheme; claim: unknown; lookup: string } {
    let malformed: string | null = null;
    for (const scheme of this.#deps.schemes) {
      const extraction = scheme.extract(facts);
      if (extraction.kind === 'claim') return { kind: 'claim', scheme, claim: extraction.claim, lookup: extraction.lookup };
      if (extraction.kind === 'malformed') malformed ??= extraction.message;
    }
    return malformed === null ? { kind: 'absent' } : { kind: 'malformed', message: malformed };
  }

  #cached(scheme: CredentialScheme, lookup: string): CachedKey | 'unknown' | undefined {
    const { caches, clock } = this.#deps;
    const id = cacheKey(scheme.name, lookup);
    const now = clock.now();
    const found = caches.unknown.get(id, now) ? 'unknown' : caches.known.get(id, now);
    this.#deps.metrics?.cacheLookup(found !== undefined);
    return found;
  }

  #isThrottled(ip: string | undefined): boolean {
    return ip !== undefined && this.#deps.caches.throttled.get(ip, this.#deps.clock.now()) === true;
  }

  /** Reads a key the caches do not hold from the store, and caches the answer either way. */
  async #load(scheme: CredentialScheme, lookup: string): Promise<CachedKey | null> {
    const { caches, clock, keys } = this.#deps;
    const key = await keys.findByLookup(scheme.name, lookup);
    if (!key) {
      caches.unknown.set(cacheKey(scheme.name, lookup), true, clock.now());
      return null;
    }
    return this.#remember(key);
  }

  /** Caches a key read from the store, with its owner's wallets. */
  async #remember(key: ApiKey): Promise<CachedKey> {
    const { caches, clock, owners } = this.#deps;
    const entry = cacheEntry(key, await owners.walletsOf(key.userId));
    const id = cacheKey(key.scheme, key.lookup);
    caches.known.set(id, entry, clock.now());
    caches.knownIds.set(key.id, id, clock.now());
    return entry;
  }

  #schemeOf(name: string): CredentialScheme {
    const scheme = this.#deps.schemes.find((s) => s.name === name);
    if (!scheme) throw new Error(`no scheme registered for ${name}`);
    return scheme;
  }

  #proofContext() {
    return {
      now: this.#deps.clock.now(),
      secrets: this.#deps.secrets,
      broker: this.#deps.broker,
      signatureWindowMs: this.#deps.settings.signatureWindowMs,
    };
  }

  // Failures count toward the caller's budget; once it is spent the IP is remembered locally, so the
  // check on the hot path stays synchronous.
  async #failed(facts: RequestFacts, verdict: Verdict): Promise<Verdict> {
    if (!facts.ip) return verdict;
    if (await this.#deps.throttle.recordFailure('fail', facts.ip)) this.#deps.caches.throttled.set(facts.ip, true, this.#deps.clock.now());
    return verdict;
  }
}
