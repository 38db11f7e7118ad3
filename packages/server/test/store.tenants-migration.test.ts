/**
 * Migration 0006 (tenants) on a database that already holds work: a store migrated up to 0005
 * gets jobs, a webhook delivery and a workbench task the way that version wrote them, then migrates
 * to the latest. Every existing row must belong to `default`, and task_id idempotency must become
 * per tenant without losing the old uniqueness within `default`. Runs on SQLite and, in the scaled
 * pass, on PostgreSQL (the schema of this test's deployment).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Migrator, sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '@ocrflow/core';
import { MIGRATIONS, STORE_FACTORIES, type SqlJobStore, TaskIdTakenError, type NewJob } from '../src/index.ts';
import { SqlTaskStore } from '../src/adapters/sql/sql.tasks.ts';
import { SqlDeliveryStore } from '../src/adapters/sql/sql.deliveries.ts';
import { newJobId } from '../src/util/ids.ts';
import { tempDataDir, testEnv } from './helpers/server.helper.ts';

const jobRow = (id: string, taskId: string | null, now: number) => ({
  id,
  task_id: taskId,
  status: 'queued',
  engine: 'paddle',
  mode: 'text',
  languages: '["en"]',
  prompt: null,
  webhook_url: null,
  filename: 'a.png',
  mime: 'image/png',
  size_bytes: 10,
  sha256: 'x'.repeat(64),
  content_hash: 'h'.repeat(64),
  source_key: `jobs/${id}/source`,
  result_key: null,
  page_count: 1,
  done_pages: 0,
  attempts: 0,
  error_code: null,
  error_message: null,
  metrics: '{}',
  options: '{}',
  last_seq: 0,
  lease_owner: null,
  lease_until: null,
  created_at: now,
  queued_at: now,
  started_at: null,
  finished_at: null,
  updated_at: now,
});

const newJob = (tenant: string, taskId: string): NewJob => {
  const id = newJobId();
  return {
    id,
    tenant,
    taskId,
    engine: 'paddle',
    mode: 'text',
    languages: ['en'],
    prompt: null,
    webhookUrl: null,
    filename: 'b.png',
    mime: 'image/png',
    sizeBytes: 10,
    sha256: 'y'.repeat(64),
    contentHash: 'k'.repeat(64),
    sourceKey: `jobs/${id}/source`,
    pageCount: 1,
    metrics: {},
    options: {},
    now: Date.now(),
  };
};

test('rows written before 0006 belong to the default tenant after it; task_id becomes unique per tenant', async () => {
  const dataDir = tempDataDir();
  const config = loadConfig({ env: testEnv(dataDir) });
  const store = (await STORE_FACTORIES[config.storeKind](config, pino({ level: 'silent' }))) as SqlJobStore;
  try {
    // The database as the previous version left it: migrations up to 0005 only.
    if (config.storeKind === 'postgres') await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(config.databaseSchema)}`.execute(store.db);
    const before = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < '0006'));
    assert.ok(Object.keys(before).length === 5 && MIGRATIONS['0006_tenants'], 'the test splits the migrations at 0006');
    const partial = await new Migrator({
      db: store.db,
      provider: { getMigrations: async () => before },
      migrationTableSchema: config.databaseSchema || undefined,
    }).migrateToLatest();
    assert.equal(partial.error, undefined);
    const now = Date.now();
    const [a, b] = [newJobId(), newJobId()];
    // Typed for the new schema; these rows leave `tenant` out, as the old version did.
    await store.db
      .insertInto('jobs')
      .values([jobRow(a, 'old-task', now), jobRow(b, null, now)] as never)
      .execute();
    await store.db
      .insertInto('webhook_deliveries')
      .values({
        id: 'd1',
        message_id: 'm1',
        job_id: a,
        event_seq: 1,
        event_type: 'finished',
        event_time: now,
        url: 'http://example.test/hook',
        source: 'job',
        dedupe_key: null,
        state: 'pending',
        attempt_count: 0,
        next_attempt_at: now,
        lease_owner: null,
        lease_until: null,
        payload: null,
        last_status: null,
        last_error: null,
        created_at: now,
        updated_at: now,
        delivered_at: null,
        redelivery_of: null,
      } as never)
      .execute();
    await store.db
      .insertInto('workbench_tasks')
      .values({
        id: 'tsk_old',
        filename: 'old.png',
        mime: 'image/png',
        size_bytes: 10,
        sha256: 'z'.repeat(64),
        source_key: 'workbench/tsk_old/source',
        status: 'uploaded',
        error_message: null,
        ocr_job_id: null,
        page_count: 1,
        table_count: null,
        cells_to_check: null,
        workbook_version: null,
        last_seq: 1,
        created_at: now,
        updated_at: now,
      } as never)
      .execute();

    await store.migrate();

    assert.equal((await store.getJob(a))?.tenant, 'default');
    assert.equal((await store.getJob(b))?.tenant, 'default');
    assert.equal((await store.getJobByTaskId('default', 'old-task'))?.id, a);
    assert.equal(await store.getJobByTaskId('billing', 'old-task'), null);
    assert.equal((await new SqlTaskStore(store.db).getTask('tsk_old'))?.tenant, 'default');
    assert.equal((await new SqlDeliveryStore(store.db, store.kind).get('d1'))?.tenant, 'default');
    assert.deepEqual((await store.listJobs({ tenant: 'default', limit: 10 })).map((j) => j.id).sort(), [a, b].sort());
    assert.deepEqual(await store.listJobs({ tenant: 'billing', limit: 10 }), []);

    // Per tenant: another tenant may reuse the task_id; `default` still may not.
    const other = await store.insertJob(newJob('billing', 'old-task'));
    assert.equal(other.job.tenant, 'billing');
    await assert.rejects(store.insertJob(newJob('default', 'old-task')), (e) => e instanceof TaskIdTakenError && e.tenant === 'default');
    await assert.rejects(store.insertJob(newJob('billing', 'old-task')), TaskIdTakenError);
    const counts = await store.countByTenantStatus();
    assert.deepEqual(
      counts.sort((x, y) => x.tenant.localeCompare(y.tenant)),
      [
        { tenant: 'billing', status: 'queued', count: 1 },
        { tenant: 'default', status: 'queued', count: 2 },
      ],
    );
  } finally {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
