/**
 * All migrations, in order. Names sort lexically; append new ones (`0002_webhooks`, …) with one
 * import line. Each is written with Kysely's schema builder so it runs on SQLite and PostgreSQL.
 */
import type { Migration, MigrationProvider } from 'kysely';
import { m0001_jobs } from './0001_jobs.ts';
import { m0002_webhooks } from './0002_webhooks.ts';
import { m0003_workbench } from './0003_workbench.ts';
import { m0004_workbench_sessions } from './0004_workbench_sessions.ts';
import { m0005_task_review } from './0005_task_review.ts';
import { m0006_tenants } from './0006_tenants.ts';
import { m0007_batches } from './0007_batches.ts';

export const MIGRATIONS: Record<string, Migration> = {
  '0001_jobs': m0001_jobs,
  '0002_webhooks': m0002_webhooks,
  '0003_workbench': m0003_workbench,
  '0004_workbench_sessions': m0004_workbench_sessions,
  '0005_task_review': m0005_task_review,
  '0006_tenants': m0006_tenants,
  '0007_batches': m0007_batches,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
