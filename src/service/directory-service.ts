import { TIERS, type Tier } from '../core/api-key.ts';
import type { Clock } from '../core/clock.ts';
import { badInput, ErrorCode, KeygateError } from '../core/errors.ts';
import { CONTROL_CHARACTERS, hasControlCharacters } from '../core/control-characters.ts';
import type { IdSource } from '../core/ids.ts';
import { ROLES, USAGE_LEVELS, type Organization, type RevokePolicy, type Role, type UsageLevel, type User } from '../core/principal.ts';
import { normaliseAddress } from '../core/wallet-address.ts';
import type { Store } from '../store/store.ts';
import { commitKeyChange, type KeyEventSink } from './key-events.ts';


export interface CreateUserInput {
  readonly organizationId: string;
  readonly name: string;
  readonly role?: Role;
  readonly usageLevel?: UsageLevel;
  readonly tier?: Tier;
  readonly wallets?: readonly string[];
}

/** Organizations, users and the wallets they own. */
export class DirectoryService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #defaults: { readonly tier: Tier };
  readonly #events: KeyEventSink;

  /**
   * `defaults.tier` is the tier of users created without one (config keys.defaultTier); `events`
   * receives the key events of wallet changes (every key of the user depends on its wallets).
   */
  constructor(store: Store, clock: Clock, ids: IdSource, defaults: { readonly tier: Tier } = { tier: 'basic' }, events: KeyEventSink = { committed: () => undefined }) {
    this.#store = store;
    this.#clock = clock;
    this.#ids = ids;
    this.#defaults = defaults;
    this.#events = events;
  }

  async createOrganization(name: string, revokePolicy: RevokePolicy = 'admins'): Promise<Organization> {
    if (typeof name !== 'string' || name.trim() === '') throw badInput('name', 'organization name is required');
    if (hasControlCharacters(name) || name.trim().length > 200) throw badInput('name', `organization name must be at most 200 characters without ${CONTROL_CHARACTERS}`);
    if (revokePolicy !== 'admins' && revokePolicy !== 'owner_or_admin') throw badInput('revokePolicy', 'revokePolicy must be admins or owner_or_admin');
    if (await this.#store.organizations.findByName(name.trim())) throw new KeygateError(ErrorCode.CONFLICT, `organization ${name.trim()} already exists`, 'name');
    const org: Organization = { id: this.#ids.uuid(), name: name.trim(), revokePolicy, createdAt: this.#clock.now() };
    await this.#store.organizations.insert(org);
    return org;
  }

  async createUser(input: CreateUserInput): Promise<User> {
    const org = await this.#store.organizations.findById(input.organizationId);
    if (!org) throw badInput('organizationId', `no organization ${input.organizationId}`);
    if (typeof input.name !== 'string' || input.name.trim() === '') throw badInput('name', 'user name is required');
    if (hasControlCharacters(input.name) || input.name.trim().length > 200) throw badInput('name', `user name must be at most 200 characters without ${CONTROL_CHARACTERS}`);
    const role = input.role ?? 'member';
    if (!ROLES.includes(role)) throw badInput('role', `role must be one of ${ROLES.join(', ')}`);
    const usageLevel = input.usageLevel ?? 'basic';
    if (!USAGE_LEVELS.includes(usageLevel)) throw badInput('usageLevel', `usage level must be one of ${USAGE_LEVELS.join(', ')}`);
    const tier = input.tier ?? this.#defaults.tier;
    if (!TIERS.includes(tier)) throw badInput('tier', `tier must be one of ${TIERS.join(', ')}`);
    if (await this.#store.users.findByName(org.id, input.name.trim())) {
      throw new KeygateError(ErrorCode.CONFLICT, `user ${input.name.trim()} already exists in ${org.name}`, 'name');
    }
    const wallets = [...new Set((input.wallets ?? []).map((w, i) => normaliseAddress(w, `wallets[${i}]`)))];
    for (const address of wallets) {
      if (await this.#store.users.findByWallet(address)) throw new KeygateError(ErrorCode.CONFLICT, `wallet ${address} already belongs to a user`, 'wallets');
    }
    const user: User = { id: this.#ids.uuid(), organizationId: org.id, name: input.name.trim(), role, usageLevel, tier, wallets, createdAt: this.#clock.now() };
    await this.#store.users.insert(user);
    return user;
  }

  /** Gives a user a wallet; their keys are re-checked everywhere (which wallet channels they may read changes). */
  async addWallet(userId: string, address: string): Promise<User> {
    const normalised = normaliseAddress(address);
    return commitKeyChange(this.#store, this.#events, () => this.#clock.now(), async (tx, record) => {
      const owner = await tx.users.findByWallet(normalised);
      if (owner && owner.id !== userId) throw new KeygateError(ErrorCode.CONFLICT, `wallet ${normalised} already belongs to another user`, 'address');
      const user = await tx.users.findById(userId);
      if (!user) throw new KeygateError(ErrorCode.NOT_FOUND, `no user ${userId}`);
      if (owner) return user;
      await tx.users.addWallet(userId, normalised, this.#clock.now());
      record({ type: 'user_changed', userId, reason: 'key_invalidated' });
      return { ...user, wallets: [...user.wallets, normalised] };
    });
  }

  /** Takes a wallet from a user; sessions of their keys reading that wallet's channel end on every node. */
  async removeWallet(userId: string, address: string): Promise<User> {
    const normalised = normaliseAddress(address);
    return commitKeyChange(this.#store, this.#events, () => this.#clock.now(), async (tx, record) => {
      const user = await tx.users.findById(userId);
      if (!user) throw new KeygateError(ErrorCode.NOT_FOUND, `no user ${userId}`);
      if (!(await tx.users.removeWallet(userId, normalised))) throw new KeygateError(ErrorCode.NOT_FOUND, `user ${user.name} has no wallet ${normalised}`, 'address');
      record({ type: 'user_changed', userId, reason: 'key_invalidated' });
      return { ...user, wallets: user.wallets.filter((w) => w !== normalised) };
    });
  }

  async organization(id: string): Promise<Organization> {
    const org = await this.#store.organizations.findById(id);
    if (!org) throw new KeygateError(ErrorCode.NOT_FOUND, `no organization ${id}`);
    return org;
  }

  /** Finds an organization by id or by name (the CLI accepts either). */
  async findOrganization(idOrName: string): Promise<Organization> {
    const org = (await this.#store.organizations.findById(idOrName)) ?? (await this.#store.organizations.findByName(idOrName));
    if (!org) throw new KeygateError(ErrorCode.NOT_FOUND, `no organization ${idOrName}`);
    return org;
  }

  async user(id: string): Promise<User> {
    const user = await this.#store.users.findById(id);
    if (!user) throw new KeygateError(ErrorCode.NOT_FOUND, `no user ${id}`);
    return user;
  }

  /** Finds a user by id, or by name: within the organization when one is given, else a name no other organization uses. */
  async findUser(idOrName: string, organizationId?: string): Promise<User> {
    const byId = await this.#store.users.findById(idOrName);
    if (byId) return byId;
    if (organizationId) {
      const user = await this.#store.users.findByName(organizationId, idOrName);
      if (!user) throw new KeygateError(ErrorCode.NOT_FOUND, `no user ${idOrName} in that organization`);
      return user;
    }
    const named = await this.#store.users.listByName(idOrName);
    if (named.length === 0) throw new KeygateError(ErrorCode.NOT_FOUND, `no user ${idOrName}`);
    if (named.length > 1) {
      const orgs = await Promise.all(named.map(async (u) => (await this.#store.organizations.findById(u.organizationId))?.name ?? u.organizationId));
      throw new KeygateError(
        ErrorCode.BAD_REQUEST,
        `${named.length} organizations have a user named ${idOrName} (${orgs.map((o) => JSON.stringify(o)).join(', ')}); say which organization`,
        'organization',
      );
    }
    return named[0];
  }

  /** The first admin of an organization (the CLI acts as them when given only --org), or null. */
  async firstAdmin(organizationId: string): Promise<User | null> {
    return (await this.#store.users.listByOrganization(organizationId)).find((user) => user.role === 'admin') ?? null;
  }

  /** The user who owns a wallet, or null. */
  async userByWallet(address: string): Promise<User | null> {
    return this.#store.users.findByWallet(normaliseAddress(address));
  }
}
