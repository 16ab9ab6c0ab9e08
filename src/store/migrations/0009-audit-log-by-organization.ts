import type { Kysely, Migration } from 'kysely';

/**
 * The organization's audit log is read newest first, a page at a time: an index on (organization, seq)
 * answers each page by reading only its rows, however long the log has grown.
 */
export const auditLogByOrganization = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema.createIndex('audit_log_organization_seq').on('audit_log').columns(['organization_id', 'seq']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('audit_log_organization_seq').execute();
  },
});
