/** SessionRevocations on the job store's database (SQLite or PostgreSQL), shared by every process. */
import type { Kysely } from 'kysely';
import type { SessionRevocations } from '../../ports/session-store.port.ts';
import type { Database } from './sql.schema.ts';

export class SqlSessionRevocations implements SessionRevocations {
  constructor(private readonly db: Kysely<Database>) {}

  async revoke(sid: string, expiresAt: number, now: number): Promise<void> {
    // Sign-outs are rare: pruning expired ids here keeps the table at the size of the ones that matter.
    await this.db.deleteFrom('workbench_revoked_sessions').where('expires_at', '<', now).execute();
    await this.db
      .insertInto('workbench_revoked_sessions')
      .values({ sid, expires_at: expiresAt })
      .onConflict((oc) => oc.column('sid').doNothing())
      .execute();
  }

  async isRevoked(sid: string): Promise<boolean> {
    const row = await this.db.selectFrom('workbench_revoked_sessions').select('sid').where('sid', '=', sid).executeTakeFirst();
    return row !== undefined;
  }
}
