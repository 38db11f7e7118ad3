/**
 * Tenants: jobs, webhook deliveries and workbench tasks belong to the tenant whose token created
 * them. Rows written before this migration get the tenant `default` (the column default) — the
 * tenant of a deployment's only plain token, so a single-token deployment keeps seeing its work.
 * `task_id` idempotency becomes per tenant: two tenants may use the same task_id.
 */
import type { Kysely, Migration } from 'kysely';

const TABLES = ['jobs', 'webhook_deliveries', 'workbench_tasks'] as const;

export const m0006_tenants: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const t of TABLES)
      await db.schema
        .alterTable(t)
        .addColumn('tenant', 'varchar(64)', (c) => c.notNull().defaultTo('default'))
        .execute();
    await db.schema.dropIndex('jobs_task_id_uq').execute();
    // NULL task_ids stay distinct (both databases), so jobs without one coexist in a tenant.
    await db.schema.createIndex('jobs_tenant_task_id_uq').on('jobs').columns(['tenant', 'task_id']).unique().execute();
    // Lists of one tenant, newest first.
    await db.schema.createIndex('jobs_tenant_id_idx').on('jobs').columns(['tenant', 'id']).execute();
    await db.schema.createIndex('workbench_tasks_tenant_idx').on('workbench_tasks').columns(['tenant', 'created_at']).execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('workbench_tasks_tenant_idx').execute();
    await db.schema.dropIndex('jobs_tenant_id_idx').execute();
    await db.schema.dropIndex('jobs_tenant_task_id_uq').execute();
    await db.schema.createIndex('jobs_task_id_uq').on('jobs').column('task_id').unique().execute();
    for (const t of TABLES) await db.schema.alterTable(t).dropColumn('tenant').execute();
  },
};
