/**
 * Writes that share a commit (SQLite's group commit) keep the promise of a transaction each:
 * a write that fails rolls back only itself, and every 202 is a job that survives kill -9.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { TaskIdTakenError } from '../src/index.ts';
import { Api } from './helpers/api.helper.ts';
import { newJob } from './helpers/jobs.helper.ts';
import { openTestStore, spawnServer, tempDataDir, type ChildServer } from './helpers/server.helper.ts';

const dirs: string[] = [];
const children: ChildServer[] = [];
after(async () => {
  for (const c of children) if (c.child.exitCode === null) await c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('writes started together: the one that fails rolls back alone, the others are committed', async () => {
  const { store, close } = await openTestStore();
  try {
    const jobs = [newJob(), newJob({ taskId: 'shared' }), newJob({ taskId: 'shared' }), newJob(), newJob({ taskId: 'own' })];
    // Started in the same turn of the event loop: on SQLite they share one transaction.
    const settled = await Promise.allSettled(jobs.map((j) => store.insertJob(j)));
    // Which of the two task_id twins wins is up to the database (PostgreSQL runs them concurrently).
    const lost = settled.findIndex((s) => s.status === 'rejected');
    assert.ok(lost === 1 || lost === 2, `one twin lost: ${settled.map((s) => s.status).join(', ')}`);
    assert.equal(settled.filter((s) => s.status === 'rejected').length, 1);
    assert.ok((settled[lost] as PromiseRejectedResult).reason instanceof TaskIdTakenError);
    for (const [i, j] of jobs.entries()) {
      const stored = await store.getJob(j.id);
      if (i === lost) {
        assert.equal(stored, null, 'the refused job left no row');
        continue;
      }
      assert.equal(stored?.status, 'queued');
      assert.deepEqual(
        (await store.listEvents(j.id, 0, 10)).map((e) => [e.seq, e.type]),
        [[1, 'queued']],
      );
    }
    // Transitions share commits too; each still sees its own job's state.
    const claims = await Promise.all([jobs[0], jobs[3], jobs[0]].map((j) => store.claimJob(j.id, 'w', Date.now() + 60_000, Date.now())));
    assert.equal(claims[1]?.event.seq, 2);
    assert.deepEqual([claims[0]?.event.seq ?? null, claims[2]?.event.seq ?? null].sort(), [2, null], 'one claim of a job wins, the other finds it running');
  } finally {
    await close();
  }
});

test('kill -9 right after a burst of 202s: after a restart every accepted job and its file are there', async () => {
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  const srv = await spawnServer(dataDir, { OCRFLOW_WORKERS: '1' });
  children.push(srv);
  let api = new Api(srv.url);
  const png = (i: number) =>
    sharp({ create: { width: 40 + (i % 8), height: 24, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
  // 48 concurrent submissions, 8 of them one task_id with the same content (one job, seven repeats).
  const same = await png(0);
  const answers = await Promise.all(
    Array.from({ length: 48 }, async (_, i) =>
      i < 8 ? api.submitRaw(same, 'same.png', { mode: 'text', task_id: 'same' }) : api.submitRaw(await png(i), `p${i}.png`, { mode: 'text', task_id: `t${i}` }),
    ),
  );
  assert.deepEqual([...new Set(answers.slice(8).map((a) => a.status))], [202]);
  // A repeat answers 200 with the existing job, or 202 if it was the first.
  assert.deepEqual(
    answers
      .slice(0, 8)
      .map((a) => a.status)
      .filter((st) => st !== 200),
    [202],
  );
  await srv.kill('SIGKILL');

  const again = await spawnServer(dataDir, { OCRFLOW_WORKERS: '1' });
  children.push(again);
  api = new Api(again.url);
  const ids = new Set(answers.map((a) => a.body.id));
  assert.equal(ids.size, 41, 'the repeats of one task_id got one job');
  assert.equal(new Set(answers.slice(0, 8).map((a) => a.body.id)).size, 1);
  for (const id of ids) {
    const job = await api.job(id);
    assert.ok(['queued', 'running', 'finished'].includes(job.status), `${id}: ${job.status}`);
    assert.ok(fs.existsSync(path.join(dataDir, 'files', 'jobs', id, 'source')), `${id}: its file`);
  }
  await again.kill('SIGTERM');
});
