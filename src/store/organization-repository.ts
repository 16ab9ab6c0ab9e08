import type { Kysely } from 'kysely';
import type { Organization, RevokePolicy } from '../core/principal.ts';
import type { Database } from './database.ts';

/** Persistence of organizations. */
export class OrganizationRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(org: Organization): Promise<void> {
    await this.#db
      .insertInto('organizations')
      .values({ id: org.id, name: org.name, revoke_policy: org.revokePolicy, created_at: org.createdAt })
      .execute();
  }

  async findById(id: string): Promise<Organization | null> {
    const row = await this.#db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { id: row.id, name: row.name, revokePolicy: row.revoke_policy as RevokePolicy, createdAt: Number(row.created_at) } : null;
  }

  async findByName(name: string): Promise<Organization | null> {
    const row = await this.#db.selectFrom('organizations').select('id').where('name', '=', name).executeTakeFirst();
    return row ? this.findById(row.id) : null;
  }

  async list(): Promise<Organization[]> {
    const rows = await this.#db.selectFrom('organizations').select('id').orderBy('created_at').execute();
    const orgs = await Promise.all(rows.map((r) => this.findById(r.id)));
    return orgs.filter((o): o is Organization => o !== null);
  }
}
