import type { Clock } from '../core/clock.ts';
import type { IdSource } from '../core/ids.ts';
import type { Principal } from '../core/principal.ts';
import { ErrorCode, KeygateError } from '../core/errors.ts';
import type { AuditEntry, AuditLogRepository, AuditOutcome } from '../store/audit-log-repository.ts';

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

  /** The caller's organization's audit log, oldest first; only organization admins may read it. */
  async listForOrganization(principal: Principal): Promise<AuditEntry[]> {
    if (principal.user.role !== 'admin') throw new KeygateError(ErrorCode.FORBIDDEN, 'only organization admins can read the audit log');
    return this.#repo.list({ organizationId: principal.organization.id });
  }

  /** One key's audit trail within the caller's organization (the caller must already be allowed to see the key). */
  async listForKey(principal: Principal, keyId: string): Promise<AuditEntry[]> {
    return this.#repo.list({ organizationId: principal.organization.id, keyId });
  }
}
