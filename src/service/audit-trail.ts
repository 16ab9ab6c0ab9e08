import type { Clock } from '../core/clock.ts';
import { isUuid, type IdSource } from '../core/ids.ts';
import type { Principal } from '../core/principal.ts';
import { badInput, ErrorCode, KeygateError } from '../core/errors.ts';
import type { AuditEntry, AuditFilter, AuditLogRepository, AuditOutcome, StoredAuditEntry } from '../store/audit-log-repository.ts';

/** Who did something, as the audit log records it. */
export interface Actor {
  readonly userId: string | null;
  readonly label: string;
  readonly organizationId: string | null;
  readonly ip: string | null;
}

/** The actor for an authenticated principal. */
export function actorOf(principal: Principal): Actor {
  return { userId: principal.user.id, label: `${principal.user.name} (${principal.via})`, organizationId: principal.organization.id, ip: principal.ip };
}

/** Which page of an audit log to read: at most `limit` entries (default 100), older than the cursor `before`. */
export interface AuditPageRequest {
  readonly limit?: number;
  /** A page's `next`: the entries after that page. */
  readonly before?: string;
}

/** One page of an audit log, newest first; `next` is the cursor of the older entries, null when there are none. */
export interface AuditPage {
  readonly entries: readonly StoredAuditEntry[];
  readonly next: string | null;
}

/** How many entries a page holds unless asked for fewer or more, and the most it may hold. */
export const AUDIT_PAGE = { default: 100, max: 1000 } as const;

/** Writes the append-only audit log of management actions, including refused ones. */
export class AuditTrail {
  readonly #repo: AuditLogRepository;
  readonly #clock: Clock;
  readonly #ids: IdSource;

  constructor(repo: AuditLogRepository, clock: Clock, ids: IdSource) {
    this.#repo = repo;
    this.#clock = clock;
    this.#ids = ids;
  }

  /** Appends an entry now, on its own. */
  async record(actor: Actor, action: string, outcome: AuditOutcome, keyId: string | null, detail: Record<string, unknown> = {}): Promise<void> {
    await this.#repo.append(this.entry(actor, action, outcome, keyId, detail));
  }

  /** Builds an entry for the caller to append inside its own store transaction, with the change it records. */
  entry(actor: Actor, action: string, outcome: AuditOutcome, keyId: string | null, detail: Record<string, unknown> = {}): AuditEntry {
    return {
      id: this.#ids.uuid(),
      at: this.#clock.now(),
      actorUserId: actor.userId,
      actor: actor.label,
      organizationId: actor.organizationId,
      action,
      keyId,
      ip: actor.ip,
      outcome,
      detail,
    };
  }

  /**
   * A page of the caller's organization's audit log, newest first; only organization admins may read it.
   * Newest first, a page at a time: read oldest first and capped, a log past its cap showed only its
   * oldest entries, so anyone able to add a thousand refused attempts could hide what they did next.
   */
  async listForOrganization(principal: Principal, page: AuditPageRequest = {}): Promise<AuditPage> {
    if (principal.user.role !== 'admin') throw new KeygateError(ErrorCode.FORBIDDEN, 'only organization admins can read the audit log');
    return this.#page({ organizationId: principal.organization.id }, page);
  }

  /** A page of one key's audit trail within the caller's organization, newest first (the caller must already be allowed to see the key). */
  async listForKey(principal: Principal, keyId: string, page: AuditPageRequest = {}): Promise<AuditPage> {
    return this.#page({ organizationId: principal.organization.id, keyId }, page);
  }

  /**
   * A page from `filter`'s entries. The cursor is the id of the last entry of the page before, not its
   * place in the log: that place counts every organization's entries, so the gaps between one's
   * cursors would tell how busy the others are.
   */
  async #page(filter: AuditFilter & { organizationId: string }, page: AuditPageRequest): Promise<AuditPage> {
    const limit = Math.min(Math.max(1, page.limit ?? AUDIT_PAGE.default), AUDIT_PAGE.max);
    const beforeSeq = page.before === undefined ? undefined : await this.#cursorSeq(page.before, filter.organizationId);
    // One more than the page, to know whether an older page exists.
    const rows = await this.#repo.list({ ...filter, limit: limit + 1, beforeSeq });
    const entries = rows.slice(0, limit);
    return { entries, next: rows.length > limit ? entries[limit - 1].id : null };
  }

  /** The place in the log of the entry a cursor names; a cursor that names none of the organization's entries is the caller's error. */
  async #cursorSeq(cursor: string, organizationId: string): Promise<number> {
    const seq = isUuid(cursor) ? await this.#repo.seqOf(cursor, organizationId) : null;
    if (seq === null) throw badInput('before', 'must be the `next` cursor of an earlier page of this log');
    return seq;
  }
}
