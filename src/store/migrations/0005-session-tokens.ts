import type { Kysely, Migration } from 'kysely';

/**
 * Links a console session to the management token that opened it, so revoking (or the expiry of)
 * that token ends the session too; sessions opened by a wallet signature have none.
 */
export const sessionTokens = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema.alterTable('console_sessions').addColumn('token_id', 'text').execute();
    // Management tokens are listed per user (GET /v1/tokens, keygate token list).
    await db.schema.createIndex('management_tokens_user').on('management_tokens').column('user_id').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('management_tokens_user').execute();
    await db.schema.alterTable('console_sessions').dropColumn('token_id').execute();
  },
});
