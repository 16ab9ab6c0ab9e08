import { keyStatus, MAX_CONNECTIONS, MAX_REQUESTS_PER_MINUTE, TIERS, type ApiKey, type KeyScheme, type Tier } from '../core/api-key.ts';
import type { Clock } from '../core/clock.ts';
import { badInput, ErrorCode, KeygateError } from '../core/errors.ts';
import { validateExchanges } from '../core/exchange-name.ts';
import { validateExpiry } from '../core/key-expiry.ts';
import { validateKeyName } from '../core/key-name.ts';
import type { IdSource } from '../core/ids.ts';
import { validateAllowlist } from '../core/ip-allowlist.ts';
import { validatePermissions } from '../core/permissions.ts';
import type { Principal, UsageLevel } from '../core/principal.ts';
import type { SecretBox } from '../core/secret-box.ts';
import type { Config } from '../config/config-schema.ts';
import type { FailureThrottle } from '../verify/failure-throttle.ts';
import type { CredentialScheme } from '../schemes/credential-scheme.ts';
import type { Repositories, Store, StoreTransaction } from '../store/store.ts';
import type { KeyFilter } from '../store/api-key-repository.ts';
import { LockName } from '../store/lock-names.ts';
import { canManage, canRevoke } from './access-policy.ts';
import { actorOf, type AuditTrail } from './audit-trail.ts';
import { commitKeyChange, keyChange, type KeyEventSink, type RecordKeyEvent } from './key-events.ts';

/** Input for creating a key; everything but the name has a default. */
export interface CreateKeyInput {
  readonly name: string;
  readonly scheme?: KeyScheme;
  readonly permissions?: readonly unknown[];
  readonly ipAllowlist?: readonly unknown[];
  readonly allowedExchanges?: readonly unknown[];
  readonly tier?: Tier;
  readonly maxConnections?: number;
  /** Admins only: verified requests per minute for this key, overriding its tier's (null: the tier's). */
  readonly requestsPerMinute?: number | null;
  readonly expiresAt?: number | null;
  /** Admins may create keys for another user of their organization. */
  readonly ownerId?: string;
  /** Surface that creates the key (native, console, frontoffice, rsa, wallet). */
  readonly origin?: string;
  /** Scheme input, e.g. an uploaded public key. */
  readonly material?: Readonly<Record<string, unknown>>;
  readonly walletAddress?: string | null;
  /**
   * Gives a wallet key its account index (spec 003). Runs inside the creating transaction, after the
   * owner's cap was checked under their lock, so the index it picks is the one stored with the key.
   */
  readonly claimAccountIndex?: (tx: StoreTransaction, now: number) => Promise<number>;
  /** Only owners with one of these usage levels may create this key (spec 004: uploaded RSA keys). */
  readonly allowedUsageLevels?: readonly UsageLevel[];
  /** Field names to use in error messages when a profile calls its fields something else. */
  readonly fieldNames?: Partial<Record<'permissions' | 'ipAllowlist' | 'name', string>>;
}

/** A new key, with the secret to show exactly once. */
export interface CreatedKey {
  readonly key: ApiKey;
  readonly secret: string | null;
}

export interface UpdateKeyInput {
  readonly name?: string;
  readonly permissions?: readonly unknown[];
  readonly ipAllowlist?: readonly unknown[];
  readonly allowedExchanges?: readonly unknown[];
  readonly tier?: Tier;
  readonly maxConnections?: number;
  /** false suspends the key, true resumes it (admins only). */
  readonly enabled?: boolean;
  /** Admins only; null returns the key to its tier's limit. */
  readonly requestsPerMinute?: number | null;
}

export interface ListKeysInput {
  readonly name?: string;
  readonly tail?: string;
  /** Name or tail, whichever matches. */
  readonly text?: string;
  readonly scheme?: KeyScheme;
  readonly origin?: string;
  /** Only the caller's own keys, even for admins (the spec profiles list "your" keys). */
  readonly mine?: boolean;
}

/** The failure budget's scope for a user's refused key management attempts, and what is said once it is spent. */
const REFUSED_SCOPE = 'key-refused';
const REFUSALS_SPENT = 'too many refused key management requests from this user in the last minute; try again in a minute';

export interface KeyServiceDependencies {
  readonly store: Store;
  /** Where committed key events go (this node applies them at once; the log carries them to the others). */
  readonly events: KeyEventSink;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly secrets: SecretBox;
  readonly audit: AuditTrail;
  readonly schemes: readonly CredentialScheme[];
  readonly settings: Config['keys'];
  /**
   * Counts each user's refused attempts (a node's failure budget, per minute): every refused attempt
   * is an audit row kept for good, so a member could otherwise grow the log without end. The CLI, run
   * by an operator on the host, has none.
   */
  readonly refusals?: Pick<FailureThrottle, 'assertAllowedFor' | 'spendFor'>;
}

/** Every key-management rule; HTTP profiles, the CLI and the console all call this. */
export class KeyService {
  readonly #deps: KeyServiceDependencies;

  constructor(deps: KeyServiceDependencies) {
    this.#deps = deps;
  }

  /** Creates a key for the caller (or, for admins, another user of the organization). */
  async create(principal: Principal, input: CreateKeyInput): Promise<CreatedKey> {
    return this.#attempt(principal, 'key.create', null, () => this.#create(principal, input));
  }

  async #create(principal: Principal, input: CreateKeyInput): Promise<CreatedKey> {
    const { store, clock, settings } = this.#deps;
    const now = clock.now();
    const names = input.fieldNames ?? {};
    const scheme = this.#scheme(input.scheme ?? 'opaque');
    const owner = await this.#owner(principal, input.ownerId);
    const name = validateKeyName(input.name, names.name);
    const permissions = validatePermissions(input.permissions ?? ['read'], settings.permissions, names.permissions);
    const ipAllowlist = validateAllowlist(input.ipAllowlist ?? [], names.ipAllowlist);
    const allowedExchanges = validateExchanges(input.allowedExchanges ?? ['*']);
    const tier = input.tier ?? owner.tier;
    if (!TIERS.includes(tier)) throw badInput('tier', `tier must be one of ${TIERS.join(', ')}`);
    const maxConnections = input.maxConnections === undefined ? settings.tiers[tier].maxConnections : validateConnectionLimit(input.maxConnections);
    const requestsPerMinute = validateRequestLimit(input.requestsPerMinute ?? null);
    const expiresAt = validateExpiry(input.expiresAt ?? null, now);
    if ((input.tier !== undefined || input.maxConnections !== undefined || input.requestsPerMinute !== undefined) && principal.user.role !== 'admin') {
      throw new KeygateError(ErrorCode.FORBIDDEN, 'only organization admins may set a key tier, connection limit or request limit');
    }

    if (input.allowedUsageLevels && !input.allowedUsageLevels.includes(owner.usageLevel)) {
      throw new KeygateError(
        ErrorCode.FORBIDDEN,
        `creating a key from your own public key needs API usage level ${input.allowedUsageLevels.join(' or ')}; your usage level is ${owner.usageLevel}`,
      );
    }

    // Checked before issuing (which may generate a key pair), and again under the owner's lock below.
    await this.#assertBelowLimit(store, owner.id, scheme.name, now);

    const issued = await scheme.issue(input.material ?? {}, { secrets: this.#deps.secrets, opaquePrefix: settings.opaquePrefix });
    const key: ApiKey = {
      id: this.#deps.ids.uuid(),
      organizationId: principal.organization.id,
      userId: owner.id,
      name,
      scheme: scheme.name,
      lookup: issued.lookup,
      tail: issued.tail,
      permissions,
      ipAllowlist,
      allowedExchanges,
      tier,
      maxConnections,
      requestsPerMinute,
      expiresAt,
      createdAt: now,
      lastUsedAt: null,
      revokedAt: null,
      revokedBy: null,
      deletedAt: null,
      secretCiphertext: issued.secretCiphertext,
      publicKey: issued.publicKey,
      walletAddress: input.walletAddress ?? null,
      accountIndex: null,
      origin: input.origin ?? 'native',
      enabled: true,
    };
    return this.#change(async (tx, record) => {
      // Count and insert under the owner's lock: concurrent creates and rolls for one user queue here,
      // so each counts the keys the others added (on SQLite the transaction itself serialises them).
      await tx.lock(LockName.userKeys(owner.id));
      await this.#assertBelowLimit(tx, owner.id, scheme.name, now);
      const stored: ApiKey = input.claimAccountIndex ? { ...key, accountIndex: await input.claimAccountIndex(tx, now) } : key;
      await tx.keys.insert(stored);
      await tx.audit.append(this.#deps.audit.entry(actorOf(principal), 'key.create', 'ok', key.id, { scheme: key.scheme, name, origin: key.origin, owner: owner.id }));
      // A created key can be in other nodes' unknown-key caches (a public key tried before it was registered).
      record(keyChange('created', stored));
      return { key: stored, secret: issued.secret };
    });
  }

  /** Keys the caller may see: their own, or the whole organization's for admins. */
  async list(principal: Principal, input: ListKeysInput = {}): Promise<ApiKey[]> {
    const filter: KeyFilter = {
      organizationId: principal.organization.id,
      userId: input.mine || principal.user.role !== 'admin' ? principal.user.id : undefined,
      name: input.name,
      tail: input.tail,
      text: input.text,
      scheme: input.scheme,
      origin: input.origin,
    };
    return this.#deps.store.keys.list(filter);
  }

  /** One key the caller may see; 404 otherwise (never reveals other organizations' keys). */
  async get(principal: Principal, id: string): Promise<ApiKey> {
    return this.#visible(this.#deps.store, principal, id);
  }

  async #visible(repositories: Pick<Repositories, 'keys'>, principal: Principal, id: string): Promise<ApiKey> {
    const key = await repositories.keys.findById(id);
    if (!key || key.deletedAt !== null || !canManage(principal, key)) throw new KeygateError(ErrorCode.NOT_FOUND, `no API key with id ${id}`, undefined, 'no API key with that id');
    return key;
  }

  /** A key by id in any organization, with no access check: for trusted operator tools (the CLI), never for API callers. */
  async findForOperator(id: string): Promise<ApiKey | null> {
    return this.#deps.store.keys.findById(id);
  }

  /** The caller's live key with a given public identifier under a scheme (profiles address keys this way). */
  async getByLookup(principal: Principal, scheme: KeyScheme, lookup: string): Promise<ApiKey> {
    const key = await this.#deps.store.keys.findByLookup(scheme, lookup);
    if (!key || key.deletedAt !== null || !canManage(principal, key)) throw new KeygateError(ErrorCode.NOT_FOUND, `no API key ${lookup}`, undefined, 'no API key with that identifier');
    return key;
  }

  /** Changes a key's name, permissions, allowlist or exchanges (tier, limits and suspension: admins only). */
  async update(principal: Principal, id: string, input: UpdateKeyInput): Promise<ApiKey> {
    return this.#attempt(principal, updateAction(input), id, () => this.#update(principal, id, input));
  }

  /** Suspends (`false`) or resumes (`true`) a key: admins only; a suspended key's live sessions end on every node. */
  async setEnabled(principal: Principal, id: string, enabled: boolean): Promise<ApiKey> {
    return this.update(principal, id, { enabled });
  }

  async #update(principal: Principal, id: string, input: UpdateKeyInput): Promise<ApiKey> {
    return this.#change(async (tx, record) => {
      await tx.lock(LockName.key(id));
      return this.#updateIn(tx, record, principal, await this.#visible(tx, principal, id), input);
    });
  }

  async #updateIn(tx: StoreTransaction, record: RecordKeyEvent, principal: Principal, key: ApiKey, input: UpdateKeyInput): Promise<ApiKey> {
    const id = key.id;
    const now = this.#deps.clock.now();
    if (keyStatus(key, now) !== 'active') throw new KeygateError(ErrorCode.CONFLICT, `API key is ${keyStatus(key, now)} and can no longer change`);
    if ((input.tier !== undefined || input.maxConnections !== undefined || input.requestsPerMinute !== undefined) && principal.user.role !== 'admin') {
      throw new KeygateError(ErrorCode.FORBIDDEN, 'only organization admins may change a key tier, connection limit or request limit');
    }
    // Suspension is an operator's brake (like revoking under the default policy): owners cannot lift it.
    if (input.enabled !== undefined && principal.user.role !== 'admin') {
      throw new KeygateError(ErrorCode.FORBIDDEN, 'only organization admins may suspend or resume API keys');
    }
    const patch = {
      name: input.name === undefined ? undefined : validateKeyName(input.name),
      permissions: input.permissions === undefined ? undefined : validatePermissions(input.permissions, this.#deps.settings.permissions),
      ipAllowlist: input.ipAllowlist === undefined ? undefined : validateAllowlist(input.ipAllowlist),
      allowedExchanges: input.allowedExchanges === undefined ? undefined : validateExchanges(input.allowedExchanges),
      tier: input.tier,
      maxConnections: input.maxConnections === undefined ? undefined : validateConnectionLimit(input.maxConnections),
      enabled: input.enabled,
      requestsPerMinute: input.requestsPerMinute === undefined ? undefined : validateRequestLimit(input.requestsPerMinute),
    };
    if (patch.tier !== undefined && !TIERS.includes(patch.tier)) throw badInput('tier', `tier must be one of ${TIERS.join(', ')}`);
    const updated = (await tx.keys.update(id, patch))!;
    await tx.audit.append(this.#deps.audit.entry(actorOf(principal), updateAction(input), 'ok', id, { fields: changedFields(input) }));
    // Sessions of a suspended key end with key_disabled (the verifier refuses it DISABLED on re-check).
    record(keyChange('updated', updated, updated.enabled ? 'key_invalidated' : 'key_disabled'));
    return updated;
  }

  /**
   * Revokes a key now; every session using it ends. `policy: 'owner'` is for profiles whose
   * documents let owners remove their own keys; otherwise the organization's policy applies.
   */
  async revoke(principal: Principal, id: string, options: { policy?: 'organization' | 'owner' } = {}): Promise<ApiKey> {
    return this.#attempt(principal, 'key.revoke', id, async () => this.#revoke(principal, await this.get(principal, id), options.policy ?? 'organization'));
  }

  /** Revokes an already-loaded key (profiles that address keys by public id). */
  async revokeKey(principal: Principal, key: ApiKey, options: { policy?: 'organization' | 'owner' } = {}): Promise<ApiKey> {
    return this.#attempt(principal, 'key.revoke', key.id, () => this.#revoke(principal, key, options.policy ?? 'organization'));
  }

  /** Issues a new secret with the same settings; the old one keeps working for `graceSeconds`, then is revoked. */
  async roll(principal: Principal, id: string, graceSeconds: number): Promise<CreatedKey & { previous: ApiKey }> {
    return this.#attempt(principal, 'key.roll', id, () => this.#roll(principal, id, graceSeconds));
  }

  async #roll(principal: Principal, id: string, graceSeconds: number): Promise<CreatedKey & { previous: ApiKey }> {
    return this.#change(async (tx, record) => {
      await tx.lock(LockName.key(id));
      const key = await this.#visible(tx, principal, id);
      // The successor counts toward its owner's cap like any new key: count under the owner's lock.
      await tx.lock(LockName.userKeys(key.userId));
      return this.#rollIn(tx, record, principal, key, graceSeconds);
    });
  }

  async #rollIn(tx: StoreTransaction, record: RecordKeyEvent, principal: Principal, key: ApiKey, graceSeconds: number): Promise<CreatedKey & { previous: ApiKey }> {
    const now = this.#deps.clock.now();
    const max = this.#deps.settings.maxRollGraceSeconds;
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > max) {
      throw badInput('graceSeconds', `graceSeconds must be a whole number from 0 to ${max}`);
    }
    if (keyStatus(key, now) !== 'active') throw new KeygateError(ErrorCode.CONFLICT, `API key is ${keyStatus(key, now)} and cannot be rolled`);
    if (key.scheme !== 'opaque' && key.scheme !== 'hmac') {
      throw new KeygateError(ErrorCode.UNPROCESSABLE, `${key.scheme} keys are the holder's own key pair; create a new key instead of rolling`);
    }
    if (!canRevoke(principal, key, 'organization')) {
      throw new KeygateError(ErrorCode.FORBIDDEN, 'only organization admins may roll (and so revoke) API keys');
    }
    // One pending roll per key: a key whose end is scheduled was rolled already (rolled_from is unique in the store too).
    if (key.revokedAt !== null) throw await this.#alreadyRolled(tx, key);
    // With a grace period the old key keeps working, so old and new both count until it ends; with
    // none the successor replaces it at once and the count stays the same, so that roll always fits.
    if (graceSeconds > 0) {
      await this.#assertBelowLimit(tx, key.userId, key.scheme, now, 'and a rolled key counts until its grace period ends; roll with graceSeconds 0 (the old key ends at once) or delete a key first');
    }
    const issued = await this.#scheme(key.scheme).issue({}, { secrets: this.#deps.secrets, opaquePrefix: this.#deps.settings.opaquePrefix });
    const successor: ApiKey = {
      ...key,
      id: this.#deps.ids.uuid(),
      lookup: issued.lookup,
      tail: issued.tail,
      secretCiphertext: issued.secretCiphertext,
      publicKey: issued.publicKey,
      createdAt: now,
      lastUsedAt: null,
      revokedAt: null,
      revokedBy: null,
      deletedAt: null,
    };
    await tx.keys.insert(successor, { rolledFrom: key.id });
    const previous = (await tx.keys.update(key.id, { revokedAt: now + graceSeconds * 1000, revokedBy: principal.user.id }))!;
    await tx.audit.append(this.#deps.audit.entry(actorOf(principal), 'key.create', 'ok', successor.id, { scheme: successor.scheme, name: successor.name, origin: successor.origin, rolledFrom: key.id }));
    await tx.audit.append(this.#deps.audit.entry(actorOf(principal), 'key.roll', 'ok', key.id, { successor: successor.id, graceSeconds }));
    record(keyChange('created', successor));
    // A grace period needs no second event: the key's revokedAt is in this one, and every node ends
    // its sessions at that instant (the key watch's timer) and refuses it from then (the verifier's status check).
    record(keyChange(graceSeconds === 0 ? 'revoked' : 'updated', previous, 'key_revoked'));
    return { key: successor, secret: issued.secret, previous };
  }

  /** Removes a key from listings (revoking it if it still works); the audit trail keeps it. */
  async delete(principal: Principal, id: string, options: { policy?: 'organization' | 'owner' } = {}): Promise<ApiKey> {
    return this.#attempt(principal, 'key.delete', id, async () => this.#deleteKey(principal, await this.get(principal, id), options.policy ?? 'organization'));
  }

  /** Deletes the caller's key with a given public identifier (the profiles address keys this way). */
  async deleteByLookup(principal: Principal, scheme: KeyScheme, lookup: string, options: { policy?: 'organization' | 'owner' } = {}): Promise<ApiKey> {
    return this.#attempt(principal, 'key.delete', null, async () =>
      this.#deleteKey(principal, await this.getByLookup(principal, scheme, lookup), options.policy ?? 'organization'),
    );
  }


  async #deleteKey(principal: Principal, loaded: ApiKey, policy: 'organization' | 'owner'): Promise<ApiKey> {
    return this.#change(async (tx, record) => {
      await tx.lock(LockName.key(loaded.id));
      const key = await this.#visible(tx, principal, loaded.id);
      if (!canRevoke(principal, key, policy)) {
        throw new KeygateError(ErrorCode.FORBIDDEN, 'only organization admins may delete API keys in this organization');
      }
      const now = this.#deps.clock.now();
      const deleted = (await tx.keys.update(key.id, {
        deletedAt: now,
        revokedAt: key.revokedAt !== null && key.revokedAt <= now ? key.revokedAt : now,
        revokedBy: key.revokedBy ?? principal.user.id,
      }))!;
      await tx.audit.append(this.#deps.audit.entry(actorOf(principal), 'key.delete', 'ok', key.id, {}));
      record(keyChange('deleted', deleted, 'key_revoked'));
      return deleted;
    });
  }

  async #revoke(principal: Principal, loaded: ApiKey, policy: 'organization' | 'owner'): Promise<ApiKey> {
    return this.#change(async (tx, record) => {
      // Read again under the key's lock: a concurrent revoke, roll or delete has either finished or waits.
      await tx.lock(LockName.key(loaded.id));
      const key = await this.#visible(tx, principal, loaded.id);
      if (!canRevoke(principal, key, policy)) {
        throw new KeygateError(ErrorCode.FORBIDDEN, 'only organization admins can revoke API keys');
      }
      const now = this.#deps.clock.now();
      if (key.revokedAt !== null && key.revokedAt <= now) throw new KeygateError(ErrorCode.CONFLICT, 'API key is already revoked');
      const revoked = (await tx.keys.update(key.id, { revokedAt: now, revokedBy: principal.user.id }))!;
      await tx.audit.append(this.#deps.audit.entry(actorOf(principal), 'key.revoke', 'ok', key.id, {}));
      record(keyChange('revoked', revoked, 'key_revoked'));
      return revoked;
    });
  }

  /** Runs a change and its key events in one store transaction (see commitKeyChange). */
  #change<T>(work: (tx: StoreTransaction, record: RecordKeyEvent) => Promise<T>): Promise<T> {
    return commitKeyChange(this.#deps.store, this.#deps.events, () => this.#deps.clock.now(), work);
  }

  /** KEY_LIMIT_REACHED when the owner already holds the scheme's cap of live keys (`advice` replaces "delete one first"). */
  async #assertBelowLimit(repositories: Pick<Repositories, 'keys'>, ownerId: string, scheme: KeyScheme, now: number, advice = 'delete one first'): Promise<void> {
    const limit = this.#deps.settings.maxKeysPerUser[scheme];
    if (limit !== null && (await repositories.keys.countLive(ownerId, now, scheme)) >= limit) {
      throw new KeygateError(ErrorCode.KEY_LIMIT_REACHED, `a user can hold at most ${limit} active ${scheme} API keys; ${advice}`);
    }
  }

  /** The CONFLICT for rolling a key that was rolled already, naming its successor. */
  async #alreadyRolled(tx: StoreTransaction, key: ApiKey): Promise<KeygateError> {
    const ends = new Date(key.revokedAt!).toISOString();
    const successor = await tx.keys.findSuccessor(key.id);
    return new KeygateError(
      ErrorCode.CONFLICT,
      successor
        ? `API key was already rolled: ${successor.id} replaces it, and it ends at ${ends}; roll ${successor.id} instead`
        : `API key is scheduled to be revoked at ${ends} and cannot be rolled again`,
    );
  }

  /**
   * Runs a management action so that every refused or failed attempt lands in the audit log, once:
   * who, which key, from where, when, the field and the reason — never the refused value (the
   * error's value-free `reason`, not its message; no key id when the id named no key).
   */
  async #attempt<T>(principal: Principal, action: string, keyId: string | null, run: () => Promise<T>): Promise<T> {
    const { refusals } = this.#deps;
    await refusals?.assertAllowedFor(REFUSED_SCOPE, principal.user.id, REFUSALS_SPENT);
    try {
      return await run();
    } catch (error) {
      if (error instanceof KeygateError && error.code !== ErrorCode.UNAVAILABLE) {
        // Spent before the row is written, in one atomic count: requests refused at once past the
        // budget answer 429 and write nothing, however many were checked against it together.
        await refusals?.spendFor(REFUSED_SCOPE, principal.user.id, REFUSALS_SPENT);
        const outcome = error.code === ErrorCode.FORBIDDEN || error.code === ErrorCode.KEY_LIMIT_REACHED ? 'denied' : 'failed';
        const knownKey = error.code === ErrorCode.NOT_FOUND ? null : keyId;
        await this.#deps.audit.record(actorOf(principal), action, outcome, knownKey, { code: error.code, reason: error.reason, ...(error.field ? { field: error.field } : {}) });
      }
      throw error;
    }
  }


  async #owner(principal: Principal, ownerId: string | undefined) {
    if (ownerId === undefined || ownerId === principal.user.id) return principal.user;
    if (principal.user.role !== 'admin') throw new KeygateError(ErrorCode.FORBIDDEN, 'only organization admins may create keys for other users', 'ownerId');
    const owner = await this.#deps.store.users.findById(ownerId);
    if (!owner || owner.organizationId !== principal.organization.id) throw badInput('ownerId', `no user ${ownerId} in this organization`, 'no such user in this organization');
    return owner;
  }

  #scheme(name: KeyScheme): CredentialScheme {
    const scheme = this.#deps.schemes.find((s) => s.name === name);
    const expected = `expected one of ${this.#deps.schemes.map((s) => s.name).join(', ')}`;
    if (!scheme) throw badInput('scheme', `unknown key scheme ${JSON.stringify(name)}; ${expected}`, `unknown key scheme; ${expected}`);
    return scheme;
  }
}

/** The fields an update names (an adapter may pass the others as undefined). */
function changedFields(input: UpdateKeyInput): string[] {
  return Object.entries(input)
    .filter(([, value]) => value !== undefined)
    .map(([field]) => field);
}

/** The audit action of a patch: suspending and resuming are named, anything else is an update. */
function updateAction(input: UpdateKeyInput): string {
  const fields = changedFields(input);
  const onlyEnabled = fields.length === 1 && fields[0] === 'enabled';
  if (!onlyEnabled) return 'key.update';
  return input.enabled ? 'key.resume' : 'key.suspend';
}

/** Checks a key's connection limit; throws a 400 naming `maxConnections`. */
function validateConnectionLimit(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_CONNECTIONS) {
    throw badInput('maxConnections', `maxConnections must be a whole number from 1 to ${MAX_CONNECTIONS}`);
  }
  return value;
}

/** Checks a per-key request limit (null: the tier's); throws a 400 naming `requestsPerMinute`. */
function validateRequestLimit(value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_REQUESTS_PER_MINUTE) {
    throw badInput('requestsPerMinute', `requestsPerMinute must be a whole number from 1 to ${MAX_REQUESTS_PER_MINUTE}, or null for the tier's limit`);
  }
  return value;
}
