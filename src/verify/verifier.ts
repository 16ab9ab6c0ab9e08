// From its module, not the global: Node defines the global `performance` as a getter, which
// optimized code cannot fold away, so each read was a global lookup on every verification.
import { performance } from 'node:perf_hooks';
import { keyStatus, type ApiKey } from '../core/api-key.ts';
import type { Clock } from '../core/clock.ts';
import type { IdentityHeader } from '../core/identity-headers.ts';
import { missingPermission } from '../core/permissions.ts';
import { RATE_WINDOW_MS, rateLimitState } from '../core/rate-limit-state.ts';
import type { SecretBox } from '../core/secret-box.ts';
import type { Broker } from '../bus/broker.ts';
import type { KeyEvent } from '../core/key-event.ts';
import type { Config } from '../config/config-schema.ts';
import type { CredentialScheme, ProofContext } from '../schemes/credential-scheme.ts';
import { SchemeIndex, type FoundCredential } from '../schemes/scheme-index.ts';
import type { SignatureWindow } from '../schemes/signature-window.ts';
import type { RequestFacts } from '../core/request-facts.ts';
import type { ApiKeyRepository } from '../store/api-key-repository.ts';
import type { FailureThrottle } from './failure-throttle.ts';
import { cacheKey, type CachedKey, type VerifierCaches } from './caches.ts';
import { buildCachedKey, type CachedKeyDerivation } from './cached-key.ts';
import type { LastUsedRecorder } from './last-used-recorder.ts';
import { refuse, type Refusal, type Verdict } from '../core/verdict.ts';
import type { Metrics } from '../core/metrics.ts';
import type { HealthLog } from '../core/backend-health.ts';
import { isThrottled, throttleAddress } from './throttled-addresses.ts';

export interface VerifyOptions {
  /** Permission the request needs, if any; several (a proxy may ask for more than one) must all hold. */
  readonly permission?: string | readonly string[];
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
  readonly settings: Pick<Config['verify'], 'signatureWindowMs' | 'signatureFutureMs'>;
  readonly tiers: Config['keys']['tiers'];
  /** Observer of verifications and cache lookups (GET /metrics); none by default. */
  readonly metrics?: Pick<Metrics, 'verified' | 'cacheLookup'>;
  /** The identity headers forward-auth sends, built into each cache entry (default: all). */
  readonly identityHeaders: readonly IdentityHeader[];
  /** Where keys whose stored material cannot be used are reported; silent by default. */
  readonly log?: Pick<HealthLog, 'warn'>;
}

/** Counts one verification and its duration since `started` (performance.now()), and hands the verdict on. */
function observed(metrics: Pick<Metrics, 'verified'>, verdict: Verdict, started: number): Verdict {
  metrics.verified(verdict.key?.scheme ?? 'unknown', verdict.code, (performance.now() - started) / 1000);
  return verdict;
}

/** A credential the index found a scheme's claim for. */
type Claim = Extract<FoundCredential, { kind: 'claim' }>;

const THROTTLED = 'too many failed attempts from this address; try again later';

/**
 * The one verifier every surface uses. Expected refusals are verdicts, never throws. Every fact
 * about a key is read from its one cache entry (cached-key.ts); the clock is read once per call.
 */
export class Verifier {
  readonly #deps: VerifierDependencies;
  readonly #index: SchemeIndex;
  readonly #derive: CachedKeyDerivation;
  readonly #signatureWindow: SignatureWindow;
  /** Store reads in flight, by cache id: concurrent requests for one uncached key share one read. */
  readonly #loading = new Map<string, Promise<CachedKey | null>>();
  /**
   * Counts the key events this node has applied. A store read that started before one and ends after
   * it may have read the key as it was before (not yet revoked): its answer serves the request that
   * made it but is not cached, so the next request reads the store again.
   */
  #epoch = 0;

  constructor(deps: VerifierDependencies) {
    this.#deps = deps;
    this.#index = new SchemeIndex(deps.schemes);
    this.#signatureWindow = { pastMs: deps.settings.signatureWindowMs, futureMs: deps.settings.signatureFutureMs };
    this.#derive = { schemes: this.#index, secrets: deps.secrets, identityHeaders: deps.identityHeaders, tiers: deps.tiers, log: deps.log };
  }

  /**
   * Verifies the credential a request carries, in one fixed order: format → unknown cache → known
   * cache → throttle → store → proof → revoked → expired → suspended → IP → permission → rate limit.
   */
  verify(facts: RequestFacts, options: VerifyOptions = {}): Promise<Verdict> {
    // Not an async function: one returning verifyNow's promise would wrap it in another, two microtasks later.
    try {
      const verdict = this.verifyNow(facts, options);
      return verdict instanceof Promise ? verdict : Promise.resolve(verdict);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * verify(), answered in the same tick whenever no I/O is needed (a cached key without a request
   * limit, a refusal the caches decide): forward-auth then writes its answer without a promise.
   */
  verifyNow(facts: RequestFacts, options: VerifyOptions = {}): Verdict | Promise<Verdict> {
    const metrics = this.#deps.metrics;
    if (!metrics) return this.#verify(facts, options);
    const started = performance.now();
    const verdict = this.#verify(facts, options);
    // A cached answer allocates no closure: only one that waits for I/O needs one.
    return verdict instanceof Promise ? verdict.then((ready) => observed(metrics, ready, started)) : observed(metrics, verdict, started);
  }

  #verify(facts: RequestFacts, options: VerifyOptions): Verdict | Promise<Verdict> {
    const now = this.#deps.clock.now();
    const found = this.#index.find(facts);
    if (found.kind === 'absent') return refuse('MISSING', 'no API key was presented');
    if (found.kind === 'malformed') return refuse('MALFORMED', found.message);
    const cached = this.#cached(found.scheme.name, found.lookup, now);
    if (cached === 'unknown') return refuse('NOT_FOUND', 'unknown API key');
    // Throttling guards the costly steps (store reads, signature checks); cached answers keep their codes.
    if (isThrottled(this.#deps.caches.throttled, facts.ip, now) && (!cached || found.scheme.signed)) return refuse('RATE_LIMITED', THROTTLED);
    if (cached) return this.#prove(found, cached, facts, options, now);
    return this.#load(found.scheme.name, found.lookup, now).then((entry) =>
      entry ? this.#prove(found, entry, facts, options, now) : this.#failed(facts, refuse('NOT_FOUND', 'unknown API key'), now),
    );
  }

  // Opaque keys prove synchronously: only a signed scheme's replay claim is awaited.
  #prove(found: Claim, entry: CachedKey, facts: RequestFacts, options: VerifyOptions, now: number): Verdict | Promise<Verdict> {
    const proof = found.scheme.prove(found.claim, entry.material, facts, this.#proofContext(now));
    if (proof instanceof Promise) return proof.then((refusal) => this.#proven(refusal, entry, facts, options, now));
    return this.#proven(proof, entry, facts, options, now);
  }

  #proven(refusal: Refusal | null, entry: CachedKey, facts: RequestFacts, options: VerifyOptions, now: number): Verdict | Promise<Verdict> {
    if (refusal) {
      const verdict = refuse(refusal.code, refusal.message, entry.key);
      return refusal.callerFailure === false ? verdict : this.#failed(facts, verdict, now);
    }
    return this.#checkPolicy(entry, facts.ip, options.permission, now, true);
  }

  /** Re-checks an already-loaded key (live sessions) against revocation, expiry, IP and permission. */
  async recheck(key: ApiKey, ip: string | undefined, permission?: string): Promise<Verdict> {
    const now = this.#deps.clock.now();
    const cached = this.#cached(key.scheme, key.lookup, now);
    const fresh = cached === 'unknown' ? null : (cached ?? (await this.#load(key.scheme, key.lookup, now)));
    if (!fresh || fresh.key.id !== key.id) return refuse('REVOKED', 'API key was revoked', key);
    return this.#checkPolicy(fresh, ip, permission, now, false);
  }

  /** Re-checks a key known only by id (a connection token), from the cache when it holds the key. */
  async recheckById(keyId: string, ip: string | undefined): Promise<Verdict> {
    const { caches, keys } = this.#deps;
    const now = this.#deps.clock.now();
    const id = caches.knownIds.get(keyId, now);
    const cached = id === undefined ? undefined : caches.known.get(id, now);
    if (cached) return this.#checkPolicy(cached, ip, undefined, now, false);
    const epoch = this.#epoch;
    const key = await keys.findById(keyId);
    if (!key) return refuse('NOT_FOUND', 'unknown API key');
    return this.#checkPolicy(await this.#remember(key, now, epoch), ip, undefined, now, false);
  }

  /** Drops cached state after a key event from the log: the key's, or every key of a user whose wallets changed. */
  onKeyEvent(event: KeyEvent): void {
    if (event.type !== 'user_changed') return this.forget(event.scheme, event.lookup);
    this.#staleReads();
    this.#deps.caches.known.deleteWhere((entry) => entry.key.userId === event.userId);
  }

  /** Drops what is cached about one credential, so the next use reads the store. */
  forget(scheme: string, lookup: string): void {
    this.#staleReads();
    const id = cacheKey(scheme, lookup);
    this.#deps.caches.known.delete(id);
    this.#deps.caches.unknown.delete(id);
  }

  /** Drops every cached key (the node lost track of the event log, so any of them may be stale). */
  forgetAll(): void {
    this.#staleReads();
    this.#deps.caches.known.clear();
    this.#deps.caches.unknown.clear();
  }

  /** Store reads in flight may predate what just changed: none of them is cached or joined any more. */
  #staleReads(): void {
    this.#epoch += 1;
    this.#loading.clear();
  }

  // Synchronous unless a rate limit must be counted on the broker: a cached key costs no extra await.
  #checkPolicy(entry: CachedKey, ip: string | undefined, permission: VerifyOptions['permission'], now: number, countUse: boolean): Verdict | Promise<Verdict> {
    const { key, allowlist, requestsPerMinute: limit } = entry;
    const status = keyStatus(key, now);
    if (status === 'revoked') return refuse('REVOKED', 'API key was revoked', key);
    if (status === 'expired') return refuse('EXPIRED', 'API key has expired', key);
    if (!key.enabled) return refuse('DISABLED', 'API key is suspended; an admin can resume it', key);
    if (!allowlist.allows(ip)) return refuse('IP_NOT_ALLOWED', `requests from ${ip ?? 'an unknown address'} are not allowed for this key`, key);
    // Before the rate limit is counted: a request refused for a permission spends none of the key's budget.
    const missing = missingPermission(key.permissions, permission);
    if (missing !== undefined) return refuse('INSUFFICIENT_PERMISSIONS', `API key lacks the "${missing}" permission`, key);
    if (!countUse) return this.#valid(entry);
    if (limit === null) {
      this.#deps.lastUsed.record(key.id, now);
      return this.#valid(entry);
    }
    // One atomic increment per request on the shared counter (Redis INCR across nodes): a count above
    // the limit is refused, so however requests interleave across nodes at most `limit` pass per window.
    return this.#deps.counters.hit(`rate:${key.id}`, RATE_WINDOW_MS).then((hits) => {
      const rateLimit = rateLimitState(limit, hits, now);
      if (hits > limit) return refuse('RATE_LIMITED', `API key exceeded ${limit} requests per minute`, key, rateLimit);
      this.#deps.lastUsed.record(key.id, now);
      return this.#valid(entry, rateLimit);
    });
  }

  #valid(entry: CachedKey, rateLimit?: Verdict['rateLimit']): Verdict {
    return { valid: true, code: 'VALID', message: 'API key is valid', key: entry.key, ownerWallets: entry.ownerWallets, validHeaders: entry.validHeaders, rateLimit };
  }

  #cached(scheme: string, lookup: string, now: number): CachedKey | 'unknown' | undefined {
    const { caches } = this.#deps;
    const id = cacheKey(scheme, lookup);
    const found = caches.unknown.get(id, now) ? 'unknown' : caches.known.get(id, now);
    this.#deps.metrics?.cacheLookup(found !== undefined);
    return found;
  }

  /** Reads a key the caches do not hold from the store (one read for concurrent requests), and caches the answer either way. */
  #load(scheme: string, lookup: string, now: number): Promise<CachedKey | null> {
    const id = cacheKey(scheme, lookup);
    const pending = this.#loading.get(id);
    if (pending) return pending;
    const read = this.#read(scheme, lookup, id, now).finally(() => {
      if (this.#loading.get(id) === read) this.#loading.delete(id);
    });
    this.#loading.set(id, read);
    return read;
  }

  async #read(scheme: string, lookup: string, id: string, now: number): Promise<CachedKey | null> {
    const epoch = this.#epoch;
    const key = await this.#deps.keys.findByLookup(scheme as ApiKey['scheme'], lookup);
    if (!key) {
      if (epoch === this.#epoch) this.#deps.caches.unknown.set(id, true, now);
      return null;
    }
    return this.#remember(key, now, epoch);
  }

  /**
   * Builds the cache entry of a key read from the store, with its owner's wallets and everything
   * derived from it, and caches it unless a key event was applied since the read began (`epoch`).
   */
  async #remember(key: ApiKey, now: number, epoch: number): Promise<CachedKey> {
    const { caches, owners } = this.#deps;
    const entry = buildCachedKey(key, await owners.walletsOf(key.userId), this.#derive);
    if (epoch !== this.#epoch) return entry;
    const id = cacheKey(key.scheme, key.lookup);
    caches.known.set(id, entry, now);
    caches.knownIds.set(key.id, id, now);
    return entry;
  }

  #proofContext(now: number): ProofContext {
    return { now, broker: this.#deps.broker, signatureWindow: this.#signatureWindow };
  }

  // Failures count toward the caller's budget; once it is spent the IP is remembered locally, so the
  // check on the hot path stays synchronous.
  async #failed(facts: RequestFacts, verdict: Verdict, now: number): Promise<Verdict> {
    if (!facts.ip) return verdict;
    if (await this.#deps.throttle.recordFailure('fail', facts.ip)) throttleAddress(this.#deps.caches.throttled, facts.ip, now);
    return verdict;
  }
}
