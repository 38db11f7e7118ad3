/**
 * Tasks survive the process: a task `ocr_processing` when the server is killed (-9) or stopped is
 * reconciled by the next start (its job followed again, the task finished, nothing submitted
 * twice). The remote shape: the workbench alone (`--role app`) using an OCR service over HTTP with
 * a token, `ocr_failed` with a plain message while that service is down, retry once it is up, the
 * webhook coming back over the public URL. And retry after `excel_failed`.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { dataset, SLOW_TABLE, SMALL_TABLE } from '../helpers/fixtures.helper.ts';
import { spawnServer, tempDataDir } from '../helpers/server.helper.ts';
import { newTaskId } from '../../src/workbench/tasks.service.ts';
import { downService, freePort, SECRET, startWb, until, WbApi, type TaskView, type WbServer } from './helpers/workbench.helper.ts';

/** OCR done: the task rests at ocr_done (its workbook is made when first asked for). */
const FULL = ['created', 'uploaded', 'ocr_processing', 'ocr_done'];
const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function jobOf(url: string, id: string, token?: string): Promise<{ status: string; attempts: number; task_id: string; webhook_url: string | null }> {
  return (await (await fetch(`${url}/v1/jobs/${id}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).json()) as never;
}

let survivor: TaskView;
let restarted: WbServer;

test('kill -9 while a task is ocr_processing, start again: the task is reconciled and finishes', async () => {
  const dataDir = tempDataDir();
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const child = await spawnServer(dataDir, { OCRFLOW_PORT: String(port), OCRFLOW_WEBHOOK_SECRET: SECRET });
  let killed = false;
  cleanup.push(async () => void (killed || (await child.kill('SIGKILL'))));
  const api = new WbApi(child.url);
  const r = await api.upload(dataset(SLOW_TABLE), 'slow.png');
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const task = r.body.data;
  await until('the job runs', async () => (await jobOf(child.url, task.ocr_job_id!)).status === 'running', 60_000);
  await child.kill('SIGKILL');
  killed = true;

  restarted = await startWb({ dataDir, env: { OCRFLOW_PORT: String(port) } });
  cleanup.push(() => restarted.close());
  const api2 = new WbApi(restarted.url);
  const done = await api2.waitFor(task.id, ['ocr_done', 'ocr_failed', 'excel_failed'], 180_000);
  assert.equal(done.status, 'ocr_done', done.error_message ?? '');
  assert.equal(done.ocr_job_id, task.ocr_job_id, 'the same job was followed, not a new one submitted');
  assert.deepEqual(
    done.transitions.map((t) => t.status),
    FULL,
  );
  const job = await jobOf(restarted.url, task.ocr_job_id!);
  assert.equal(job.status, 'finished');
  assert.ok(job.attempts >= 2, `the job resumed after the kill (attempts ${job.attempts})`);
  const jobs = (await (await fetch(`${restarted.url}/v1/jobs?task_id=${task.id}`)).json()) as { jobs: unknown[] };
  assert.equal(jobs.jobs.length, 1);
  survivor = done;
});

test('a graceful stop while ocr_processing fails nothing; the next start finishes the task', async () => {
  const { dataDir } = restarted;
  const port = Number(new URL(restarted.url).port);
  const api = new WbApi(restarted.url);
  const task = (await api.upload(dataset(SLOW_TABLE), 'stopped.png')).body.data;
  await until('the job runs', async () => (await jobOf(restarted.url, task.ocr_job_id!)).status === 'running', 60_000);
  await restarted.close();

  restarted = await startWb({ dataDir, env: { OCRFLOW_PORT: String(port) } });
  const api2 = new WbApi(restarted.url);
  const done = await api2.waitFor(task.id, ['ocr_done', 'ocr_failed', 'excel_failed'], 180_000);
  assert.equal(done.status, 'ocr_done', done.error_message ?? '');
  assert.deepEqual(
    done.transitions.map((t) => t.status),
    FULL,
  );
  assert.equal(done.ocr_job_id, task.ocr_job_id);
});

test('retry after excel_failed generates the workbook again from the stored OCR result', async () => {
  const wb = restarted.service.services.workbench!;
  const { store, blobs } = wb.ctx;
  // A task whose workbook generation failed (set up through the real store and blob store).
  const id = newTaskId();
  const png = dataset(SMALL_TABLE);
  await blobs.put(`workbench/${id}/source`, png);
  await blobs.put(`workbench/${id}/ocr/document.json`, await blobs.get(`workbench/${survivor.id}/ocr/document.json`));
  await store.insertTask(
    {
      id,
      tenant: 'default',
      filename: '表格.png',
      mime: 'image/png',
      sizeBytes: png.length,
      sha256: 'b'.repeat(64),
      sourceKey: `workbench/${id}/source`,
      pageCount: 1,
      now: Date.now(),
    },
    ['created', 'uploaded'],
  );
  await store.transition(id, { from: ['uploaded'], to: 'ocr_processing', now: Date.now() });
  await store.transition(id, { from: ['ocr_processing'], to: 'ocr_done', patch: { ocrJobId: survivor.ocr_job_id }, now: Date.now() });
  await store.transition(id, {
    from: ['ocr_done'],
    to: 'excel_failed',
    patch: { errorMessage: 'The workbook could not be generated: disk full' },
    now: Date.now(),
  });

  const api = new WbApi(restarted.url);
  assert.equal((await api.call(`/api/v1/tasks/${id}/tables`)).status, 409);
  const r = await api.call<TaskView>(`/api/v1/ocr/retry/${id}`, { method: 'POST' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const done = await api.waitFor(id, ['excel_generated', 'excel_failed'], 30_000);
  assert.equal(done.status, 'excel_generated', done.error_message ?? '');
  assert.equal(done.error_message, null);
  assert.deepEqual(
    done.transitions.map((t) => t.status),
    ['created', 'uploaded', 'ocr_processing', 'ocr_done', 'excel_failed', 'ocr_done', 'excel_generated'],
  );
  const tables = await api.call<{ version: number; sheets: unknown[] }>(`/api/v1/tasks/${id}/tables`);
  assert.equal(tables.body.data.version, 1);
  assert.ok(tables.body.data.sheets.length >= 1);
  assert.equal((await api.call(`/api/v1/ocr/retry/${id}`, { method: 'POST' })).status, 409);
});

test('the sweep picks up a task nobody in this process follows (a process that died, scaled shape)', async () => {
  const wb = restarted.service.services.workbench!;
  const { store, blobs } = wb.ctx;
  const id = newTaskId();
  const png = dataset(SMALL_TABLE);
  await blobs.put(`workbench/${id}/source`, png);
  const past = Date.now() - 10 * 60_000;
  await store.insertTask(
    {
      id,
      tenant: 'default',
      filename: 'orphan.png',
      mime: 'image/png',
      sizeBytes: png.length,
      sha256: 'c'.repeat(64),
      sourceKey: `workbench/${id}/source`,
      pageCount: 1,
      now: past,
    },
    ['created', 'uploaded'],
  );
  await store.transition(id, { from: ['uploaded'], to: 'ocr_processing', patch: { ocrJobId: survivor.ocr_job_id }, now: past });
  assert.equal(await wb.ocr.sweep(5 * 60_000), 1);
  assert.equal(await wb.ocr.sweep(5 * 60_000), 0, 'followed now: not picked up twice');
  const api = new WbApi(restarted.url);
  const done = await api.waitFor(id, ['ocr_done', 'ocr_failed', 'excel_failed'], 30_000);
  assert.equal(done.status, 'ocr_done', done.error_message ?? '');
  assert.deepEqual(
    done.transitions.map((t) => t.status),
    FULL,
  );
});

test('remote OCR service with a token: down → ocr_failed with a plain message; up → retry finishes the task', async () => {
  const down = await downService();
  const ocrPort = down.port;
  const wbPort = await freePort();
  const TOKEN = 'remote-token-123';
  const app = await startWb({
    env: {
      OCRFLOW_ROLE: 'app',
      OCRFLOW_PORT: String(wbPort),
      OCRFLOW_PUBLIC_URL: `http://127.0.0.1:${wbPort}`,
      OCRFLOW_OCR_SERVICE_URL: `http://127.0.0.1:${ocrPort}`,
      OCRFLOW_OCR_SERVICE_TOKEN: TOKEN,
    },
  });
  cleanup.push(() => app.close());
  const api = new WbApi(app.url);
  const health = await api.call<{ ok: boolean; ocr_service: string; message: string }>('/api/v1/ocr/health');
  assert.deepEqual([health.status, health.body.data.ok, health.body.data.ocr_service], [200, false, `http://127.0.0.1:${ocrPort}`]);
  assert.match(health.body.data.message, /cannot be reached/);

  const r = await api.upload(dataset(SMALL_TABLE), 'remote.png');
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.data.status, 'ocr_failed');
  assert.match(r.body.data.error_message ?? '', /not reachable/);
  assert.match(r.body.message, /OCR could not start/);

  await down.release();
  const ocr = await startWb({ env: { OCRFLOW_PORT: String(ocrPort), OCRFLOW_TOKENS: TOKEN, OCRFLOW_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' } });
  cleanup.push(() => ocr.close());
  await until('the OCR service is healthy', async () => (await api.call<{ ok: boolean }>('/api/v1/ocr/health')).body.data.ok, 60_000);
  const retried = await api.call<TaskView>(`/api/v1/ocr/retry/${r.body.data.id}`, { method: 'POST' });
  assert.equal(retried.status, 200, JSON.stringify(retried.body));
  assert.equal(retried.body.data.status, 'ocr_processing');
  const done = await api.waitFor(r.body.data.id, ['ocr_done', 'ocr_failed', 'excel_failed'], 120_000);
  assert.equal(done.status, 'ocr_done', done.error_message ?? '');
  assert.deepEqual(
    done.transitions.map((t) => t.status),
    ['created', 'uploaded', 'ocr_processing', 'ocr_failed', 'ocr_processing', 'ocr_done'],
  );

  const job = await jobOf(ocr.url, done.ocr_job_id!, TOKEN);
  assert.equal(job.task_id, done.id);
  assert.equal(job.webhook_url, `http://127.0.0.1:${wbPort}/api/v1/ocr/webhook`);
  // The remote service's webhook reached the workbench over its public URL and verified.
  const d = await until(
    'the webhook delivered',
    async () => {
      const body = (await (await fetch(`${ocr.url}/v1/jobs/${done.ocr_job_id}/deliveries`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
        deliveries: { state: string; last_status: number | null }[];
      };
      return body.deliveries.find((x) => x.state === 'delivered');
    },
    30_000,
  );
  assert.equal(d.last_status, 200);
});
