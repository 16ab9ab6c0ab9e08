import type { Kysely, Selectable } from 'kysely';
import type { Tier } from '../core/api-key.ts';
import type { Role, UsageLevel, User } from '../core/principal.ts';
import type { Database, UsersTable } from './database.ts';

/** Persistence of users and the wallets they own. */
export class UserRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(user: User): Promise<void> {
    // Inside a store transaction already (a transaction-bound repository): Kysely cannot nest one.
    const atomically = (work: (trx: Kysely<Database>) => Promise<void>) => (this.#db.isTransaction ? work(this.#db) : this.#db.transaction().execute(work));
    await atomically(async (trx) => {
      await trx
        .insertInto('users')
        .values({
          id: user.id,
          organization_id: user.organizationId,
          name: user.name,
          role: user.role,
          usage_level: user.usageLevel,
          tier: user.tier,
          created_at: user.createdAt,
        })
        .execute();
      for (const address of user.wallets) {
        await trx.insertInto('wallets').values({ address, user_id: user.id, created_at: user.createdAt }).execute();
      }
    });
  }

  async findById(id: string): Promise<User | null> {
    const row = await this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.#withWallets(row) : null;
  }

  /** The user that owns a wallet (address in lowercase). */
  async findByWallet(address: string): Promise<User | null> {
    const wallet = await this.#db.selectFrom('wallets').select('user_id').where('address', '=', address).executeTakeFirst();
    return wallet ? this.findById(wallet.user_id) : null;
  }

  async findByName(organizationId: string, name: string): Promise<User | null> {
    const row = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? this.#withWallets(row) : null;
  }

  /** Users of that name in any organization (names are unique only within one). */
  async listByName(name: string): Promise<User[]> {
    const rows = await this.#db.selectFrom('users').selectAll().where('name', '=', name).orderBy('created_at').execute();
    return Promise.all(rows.map((row) => this.#withWallets(row)));
  }

  async listByOrganization(organizationId: string): Promise<User[]> {
    const rows = await this.#db.selectFrom('users').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').execute();
    return Promise.all(rows.map((row) => this.#withWallets(row)));
  }

  /** The wallet addresses (lowercase) a user owns, oldest first. */
  async walletsOf(userId: string): Promise<string[]> {
    const rows = await this.#db.selectFrom('wallets').select('address').where('user_id', '=', userId).orderBy('created_at').execute();
    return rows.map((row) => row.address);
  }

  /** Adds a wallet to a user; the address must not belong to anyone yet. */
  async addWallet(userId: string, address: string, at: number): Promise<void> {
    await this.#db.insertInto('wallets').values({ address, user_id: userId, created_at: at }).execute();
  }

  /** Removes a wallet from its user; true when it was theirs. */
  async removeWallet(userId: string, address: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('wallets').where('user_id', '=', userId).where('address', '=', address).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async #withWallets(row: Selectable<UsersTable>): Promise<User> {
    const wallets = await this.#db.selectFrom('wallets').select('address').where('user_id', '=', row.id).orderBy('created_at').execute();
    return {
      id: row.id,
      organizationId: row.organization_id,
      name: row.name,
      role: row.role as Role,
      usageLevel: row.usage_level as UsageLevel,
      tier: row.tier as Tier,
      wallets: wallets.map((w) => w.address),
      createdAt: Number(row.created_at),
    };
  }
}
