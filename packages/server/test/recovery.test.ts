/**
 * Restart recovery with a real child process: kill -9 while one job is running and others are
 * queued; after a restart every accepted job finishes, stored pages are not redone, and each
 * job's events read 1, 2, 3, … with no gap or duplicate. SIGTERM hands the running job back.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Api, type JobEvent } from './helpers/api.helper.ts';
import { scaledBackend } from './helpers/backend.helper.ts';
import { dataset, makePdf, SMALL_TABLE, textPage } from './helpers/fixtures.helper.ts';
import { spawnServer, tempDataDir, type ChildServer } from './helpers/server.helper.ts';

const dirs: string[] = [];
const children: ChildServer[] = [];
after(async () => {
  for (const c of children) if (c.child.exitCode === null) await c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

// With PostgreSQL + Redis a restarted process is not the only one, so it does not re-queue
// every running job at start-up; a dead worker's job comes back when its lease expires (short here).
const scaled = scaledBackend();

async function start(dataDir: string): Promise<ChildServer> {
  const c = await spawnServer(dataDir, { OCRFLOW_WORKERS: '1', ...(scaled ? { OCRFLOW_LEASE_MS: '3000' } : {}) });
  children.push(c);
  return c;
}

const isPage = (e: JobEvent) => e.type === 'running' && e.phase === 'page';
const img = { image: dataset(SMALL_TABLE) };

function assertContiguous(events: JobEvent[], id: string) {
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
    `seqs of ${id}`,
  );
}

test('kill -9 with a running and queued jobs: all finish after restart, nothing lost or redone', async () => {
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  let srv = await start(dataDir);
  let api = new Api(srv.url);
  const running = await api.submit(makePdf([img, img, img, img]), 'running.pdf', { mode: 'text' });
  const queued1 = await api.submit(dataset(SMALL_TABLE), 'queued1.png', { mode: 'text', task_id: 'q1' });
  const queued2 = await api.submit(makePdf([textPage(1), textPage(2)]), 'queued2.pdf');
  await api.follow(running.id, { until: isPage });
  assert.equal((await api.job(queued2.id)).status, 'queued');
  await srv.kill('SIGKILL');

  srv = await start(dataDir);
  api = new Api(srv.url);
  const before = await api.job(running.id);
  assert.ok(before.done_pages >= 1, 'the page stored before the kill survived');
  for (const id of [running.id, queued1.id, queued2.id]) {
    const events = await api.follow(id);
    assertContiguous(events, id);
    assert.equal(events.at(-1)?.type, 'finished', id);
    assert.equal((await api.job(id)).status, 'finished');
  }
  const r = await api.job(running.id);
  assert.equal(r.done_pages, 4);
  assert.equal(r.attempts, 2);
  const events = (await api.poll(running.id, { timeout_ms: 0 })).events;
  assert.deepEqual(
    events.filter((e) => e.type === 'queued').map((e) => e.reason),
    ['submitted', scaled ? 'lease_expired' : 'recovered'],
  );
  const pages = events
    .filter(isPage)
    .map((e) => e.page as number)
    .sort();
  assert.deepEqual(pages, [1, 2, 3, 4], 'every page recognised exactly once across the crash');
  const doc = (await (await api.fetch(`/v1/jobs/${running.id}/result?format=json`)).json()) as { pages: { index: number }[] };
  assert.deepEqual(
    doc.pages.map((p) => p.index),
    [0, 1, 2, 3],
  );
  assert.match(await (await api.fetch(`/v1/jobs/${queued2.id}/result?format=text`)).text(), /Page 2 line 8/);
  // task_id idempotency survives the restart too.
  const again = await api.submitRaw(dataset(SMALL_TABLE), 'queued1.png', { mode: 'text', task_id: 'q1' });
  assert.deepEqual([again.status, again.body.id], [200, queued1.id]);
  const tmp = path.join(dataDir, 'files', '.tmp');
  assert.deepEqual(fs.readdirSync(tmp), [], 'no temporary uploads left');
  assert.equal(await srv.kill('SIGTERM'), 0);
});

test('SIGTERM hands the running job back to the queue; it resumes after restart without losing an attempt', async () => {
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  let srv = await start(dataDir);
  let api = new Api(srv.url);
  const job = await api.submit(makePdf([img, img, img]), 'three.pdf', { mode: 'text' });
  await api.follow(job.id, { until: isPage });
  assert.equal(await srv.kill('SIGTERM'), 0, 'graceful exit');
  assert.match(srv.stderr(), /SIGTERM, shutting down/);

  srv = await start(dataDir);
  api = new Api(srv.url);
  const events = await api.follow(job.id);
  assertContiguous(events, job.id);
  assert.deepEqual(
    events.filter((e) => e.type === 'queued').map((e) => e.reason),
    ['submitted', 'shutdown'],
  );
  const done = await api.job(job.id);
  assert.equal(done.status, 'finished');
  assert.equal(done.attempts, 1, 'a hand-back at shutdown is not counted as an attempt');
  assert.deepEqual(
    events
      .filter(isPage)
      .map((e) => e.page as number)
      .sort(),
    [1, 2, 3],
  );
  await srv.kill('SIGTERM');
});
