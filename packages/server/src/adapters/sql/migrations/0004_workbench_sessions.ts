/**
 * Workbench sign-in (session cookies): the session ids signed out before their expiry. The cookie
 * itself is stateless (an HMAC with its expiry inside), so this list is what makes sign-out real on
 * every process of a deployment; rows are dropped once their cookie would have expired anyway.
 */
import type { Kysely, Migration } from 'kysely';

export const m0004_workbench_sessions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('workbench_revoked_sessions')
      .addColumn('sid', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('workbench_revoked_sessions_exp_idx').on('workbench_revoked_sessions').column('expires_at').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('workbench_revoked_sessions').execute();
  },
};
