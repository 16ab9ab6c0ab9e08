import { Type } from '@sinclair/typebox';
import { AUDIT_PAGE, type AuditPage, type AuditPageRequest } from '../service/audit-trail.ts';

/** The query of both audit routes: how many entries, and the cursor of the page before. */
export const AuditPageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_PAGE.max, description: `Entries per page, newest first (default ${AUDIT_PAGE.default})` })),
  before: Type.Optional(Type.String({ maxLength: 100, description: "The `next` of the page before: the entries older than that page's" })),
});

/** The page of an audit route's query. */
export function auditPageRequest(query: unknown): AuditPageRequest {
  const { limit, before } = query as { limit?: number; before?: string };
  return { limit, before };
}

/** An audit page as both routes answer it: times as ISO strings, and the cursor of the older entries. */
export function auditPageBody(page: AuditPage): { entries: unknown[]; next: string | null } {
  return { entries: page.entries.map(({ seq: _seq, ...entry }) => ({ ...entry, at: new Date(entry.at).toISOString() })), next: page.next };
}
