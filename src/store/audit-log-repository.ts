import type { Kysely } from 'kysely';
import type { Database } from './database.ts';

export type AuditOutcome = 'ok' | 'denied' | 'failed';

/** One append-only audit entry. */
export interface AuditEntry {
  readonly id: string;
  readonly at: number;
  readonly actorUserId: string | null;
  /** Human-readable actor: user name, `cli`, `wallet:0x…`. */
  readonly actor: string;
  readonly organizationId: string | null;
  readonly action: string;
  readonly keyId: string | null;
  readonly ip: string | null;
  readonly outcome: AuditOutcome;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** An entry as stored: with its place in the log (`seq`, increasing in the order entries were appended). */
export interface StoredAuditEntry extends AuditEntry {
  readonly seq: number;
}

/** Which entries to read: an organization's and optionally one key's, newest first, before `beforeSeq` when given. */
export interface AuditFilter {
  readonly organizationId?: string;
  readonly keyId?: string;
  /** At most this many (default 1000). */
  readonly limit?: number;
  /** Only entries appended before the one with this seq (the next page of an earlier read). */
  readonly beforeSeq?: number;
}

/** Append-only persistence of the audit log: there is no update or delete. */
export class AuditLogRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.#db
      .insertInto('audit_log')
      .values({
        id: entry.id,
        at: entry.at,
        actor_user_id: entry.actorUserId,
        actor: entry.actor,
        organization_id: entry.organizationId,
        action: entry.action,
        key_id: entry.keyId,
        ip: entry.ip,
        outcome: entry.outcome,
        detail: JSON.stringify(entry.detail),
      })
      .execute();
  }

  /** Where entry `id` of an organization stands in the log (its seq), or null when it has no such entry. */
  async seqOf(id: string, organizationId: string): Promise<number | null> {
    const row = await this.#db.selectFrom('audit_log').select('seq').where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirst();
    return row === undefined ? null : Number(row.seq);
  }

  /** Entries for an organization and optionally one key, newest first. */
  async list(filter: AuditFilter): Promise<StoredAuditEntry[]> {
    let query = this.#db.selectFrom('audit_log').selectAll();
    if (filter.organizationId) query = query.where('organization_id', '=', filter.organizationId);
    if (filter.keyId) query = query.where('key_id', '=', filter.keyId);
    if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
    const rows = await query.orderBy('seq', 'desc').limit(filter.limit ?? 1000).execute();
    return rows.map((row) => ({
      seq: Number(row.seq),
      id: row.id,
      at: Number(row.at),
      actorUserId: row.actor_user_id,
      actor: row.actor,
      organizationId: row.organization_id,
      action: row.action,
      keyId: row.key_id,
      ip: row.ip,
      outcome: row.outcome as AuditOutcome,
      detail: JSON.parse(row.detail) as Record<string, unknown>,
    }));
  }
}
