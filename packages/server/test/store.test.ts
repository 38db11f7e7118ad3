/** The JobStore contract on the backend under test (SQLite by default): transitions, seq, leases, hooks. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskIdTakenError, type JobStore, type NewJob } from '../src/index.ts';
import { sqlTx } from '../src/adapters/sql/sql.schema.ts';
import { newJobId } from '../src/util/ids.ts';
import { openTestStore } from './helpers/server.helper.ts';

let store: JobStore;
let close: () => Promise<void>;
before(async () => ({ store, close } = await openTestStore()));
after(() => close());

function newJob(over: Partial<NewJob> = {}): NewJob {
  const id = newJobId();
  return {
    id,
    tenant: 'default',
    taskId: null,
    engine: 'paddle',
    mode: 'layout',
    languages: ['ch', 'en'],
    prompt: null,
    webhookUrl: null,
    filename: 'a.png',
    mime: 'image/png',
    sizeBytes: 10,
    sha256: 'x'.repeat(64),
    contentHash: 'h'.repeat(64),
    sourceKey: `jobs/${id}/source`,
    pageCount: 3,
    metrics: {},
    options: {},
    now: Date.now(),
    ...over,
  };
}

test('migrate is idempotent', async () => {
  await store.migrate();
  await store.migrate();
});

test('a job goes queued → running → pages → finished with contiguous event seqs', async () => {
  const { job, event } = await store.insertJob(newJob());
  assert.equal(job.status, 'queued');
  assert.deepEqual([event.seq, event.type], [1, 'queued']);
  const claim = await store.claimJob(job.id, 'w1', Date.now() + 1000, Date.now());
  assert.ok(claim);
  assert.equal(claim.job.status, 'running');
  assert.equal(claim.job.attempts, 1);
  assert.equal(claim.event.seq, 2);
  assert.equal(await store.claimJob(job.id, 'w2', Date.now() + 1000, Date.now()), null, 'a running job cannot be claimed twice');
  for (const i of [0, 2, 1]) {
    const t = await store.savePage(job.id, 'w1', { index: i, json: JSON.stringify({ index: i }) }, { pages_ms: i }, Date.now());
    assert.ok(t);
    assert.equal(t.event.data.page, i + 1);
  }
  // Saving the same page again (a resumed job redoing it) replaces it and does not double-count.
  const again = await store.savePage(job.id, 'w1', { index: 2, json: '{"index":2,"v":2}' }, {}, Date.now());
  assert.equal(again?.job.donePages, 3);
  assert.deepEqual(await store.listPageIndexes(job.id), [0, 1, 2]);
  assert.equal((await store.listPages(job.id))[2].json, '{"index":2,"v":2}');
  const fin = await store.finishJob(job.id, 'w1', { resultKey: `jobs/${job.id}/result`, metrics: { run_ms: 5 } }, Date.now());
  assert.equal(fin?.job.status, 'finished');
  assert.equal(fin?.job.leaseOwner, null);
  const events = await store.listEvents(job.id, 0, 100);
  assert.deepEqual(
    events.map((e) => e.seq),
    [1, 2, 3, 4, 5, 6, 7],
  );
  assert.deepEqual(
    events.map((e) => e.type),
    ['queued', 'running', 'running', 'running', 'running', 'running', 'finished'],
  );
  assert.deepEqual(
    (await store.listEvents(job.id, 5, 1)).map((e) => e.seq),
    [6],
  );
});

test('writes of a worker that lost its job are refused', async () => {
  const { job } = await store.insertJob(newJob());
  await store.claimJob(job.id, 'w1', Date.now() + 1000, Date.now());
  const c = await store.cancelJob(job.id, Date.now());
  assert.equal(c?.job.status, 'canceled');
  assert.equal(c?.job.error?.code, 'OCRFLOW_ERR_CANCELED');
  assert.equal(await store.savePage(job.id, 'w1', { index: 0, json: '{}' }, {}, Date.now()), null);
  assert.equal(await store.renewLease(job.id, 'w1', Date.now() + 1000, Date.now()), false);
  assert.equal(await store.finishJob(job.id, 'w1', { resultKey: 'x', metrics: {} }, Date.now()), null);
  assert.equal((await store.getJob(job.id))?.status, 'canceled');
  // Cancel again: no transition, the caller gets the job to decide (no-op).
  const again = await store.cancelJob(job.id, Date.now());
  assert.equal(again?.event, null);
});

test('another worker cannot write into a job it does not own', async () => {
  const { job } = await store.insertJob(newJob());
  await store.claimJob(job.id, 'w1', Date.now() + 1000, Date.now());
  assert.equal(await store.savePage(job.id, 'intruder', { index: 0, json: '{}' }, {}, Date.now()), null);
  assert.equal(await store.failJob(job.id, 'intruder', { code: 'OCRFLOW_ERR_INTERNAL', message: 'x' }, {}, Date.now()), null);
  assert.equal((await store.getJob(job.id))?.donePages, 0);
});

test('retry keeps stored pages, clears the error and queues again', async () => {
  const { job } = await store.insertJob(newJob());
  await store.claimJob(job.id, 'w1', Date.now() + 1000, Date.now());
  await store.savePage(job.id, 'w1', { index: 0, json: '{}' }, {}, Date.now());
  const f = await store.failJob(job.id, 'w1', { code: 'OCRFLOW_ERR_ENGINE_FAILED', message: 'boom' }, {}, Date.now());
  assert.equal(f?.job.error?.code, 'OCRFLOW_ERR_ENGINE_FAILED');
  const r = await store.retryJob(job.id, Date.now());
  assert.equal(r?.job.status, 'queued');
  assert.equal(r?.job.error, null);
  assert.equal(r?.job.donePages, 1);
  assert.equal(r?.event?.data.reason, 'retry');
  const no = await store.retryJob(job.id, Date.now());
  assert.equal(no?.event, null, 'a queued job cannot be retried');
});

test('reclaim: expired leases go back to queued; past the attempt limit they fail', async () => {
  const a = (await store.insertJob(newJob())).job;
  const b = (await store.insertJob(newJob())).job;
  const c = (await store.insertJob(newJob())).job;
  const now = Date.now();
  await store.claimJob(a.id, 'dead', now - 1, now - 10); // expired
  await store.claimJob(b.id, 'alive', now + 60_000, now); // fresh
  await store.claimJob(c.id, 'dead', now - 1, now - 10);
  const ts = await store.reclaimJobs({ all: false, maxAttempts: 3 }, now);
  const ids = ts.map((t) => t.job.id);
  assert.ok(ids.includes(a.id) && ids.includes(c.id) && !ids.includes(b.id));
  assert.equal((await store.getJob(a.id))?.status, 'queued');
  assert.equal((await store.getJob(b.id))?.status, 'running');
  assert.equal(ts.find((t) => t.job.id === a.id)?.event.data.reason, 'lease_expired');
  // all = true (start-up of the embedded shape) takes the fresh one as well; attempt limit 1 fails it.
  const ts2 = await store.reclaimJobs({ all: true, maxAttempts: 1 }, now);
  const tb = ts2.find((t) => t.job.id === b.id);
  assert.equal(tb?.job.status, 'failed');
  assert.equal(tb?.job.error?.code, 'OCRFLOW_ERR_WORKER_CRASHED');
});

test('requeue with refund gives the attempt back', async () => {
  const { job } = await store.insertJob(newJob());
  await store.claimJob(job.id, 'w', Date.now() + 1000, Date.now());
  const t = await store.requeueJob(job.id, 'w', 'shutdown', { refundAttempt: true }, Date.now());
  assert.equal(t?.job.attempts, 0);
  assert.equal(t?.event.data.reason, 'shutdown');
});

test('task_id is unique', async () => {
  await store.insertJob(newJob({ taskId: 'dup-1' }));
  await assert.rejects(store.insertJob(newJob({ taskId: 'dup-1' })), TaskIdTakenError);
  assert.equal((await store.getJobByTaskId('default', 'dup-1'))?.taskId, 'dup-1');
});

test('terminal hooks run inside the transaction; a throwing hook rolls the transition back', async () => {
  const seen: string[] = [];
  let fail = true;
  store.addTerminalHook(async (tx, change) => {
    // The hook sees the new state through the transaction handle.
    const row = await sqlTx(tx).selectFrom('jobs').select('status').where('id', '=', change.job.id).executeTakeFirstOrThrow();
    seen.push(`${change.event.type}:${row.status}`);
    if (fail && change.job.taskId === 'hook-fail') throw new Error('outbox write failed');
  });
  const { job } = await store.insertJob(newJob({ taskId: 'hook-fail' }));
  await assert.rejects(store.cancelJob(job.id, Date.now()), /outbox write failed/);
  assert.equal((await store.getJob(job.id))?.status, 'queued', 'rolled back');
  assert.equal((await store.listEvents(job.id, 0, 10)).length, 1, 'no canceled event left behind');
  fail = false;
  const ok = await store.cancelJob(job.id, Date.now());
  assert.equal(ok?.job.status, 'canceled');
  assert.equal(ok?.event?.seq, 2, 'the rolled-back transition did not consume a seq');
  assert.deepEqual(seen.slice(-2), ['canceled:canceled', 'canceled:canceled']);
});

test('list: newest first, filters, id cursor', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await store.insertJob(newJob({ taskId: `list-${i}` }))).job.id);
  const page1 = await store.listJobs({ limit: 2 });
  assert.deepEqual(
    page1.map((j) => j.id),
    [ids[4], ids[3]],
  );
  const page2 = await store.listJobs({ limit: 2, beforeId: ids[3] });
  assert.deepEqual(
    page2.map((j) => j.id),
    [ids[2], ids[1]],
  );
  assert.deepEqual(
    (await store.listJobs({ limit: 10, taskId: 'list-2' })).map((j) => j.id),
    [ids[2]],
  );
  const counts = await store.countByStatus();
  assert.ok(counts.queued >= 5);
});

test('getJobs and getEventsAt read a group in one call: only what exists, each once', async () => {
  const a = (await store.insertJob(newJob())).job;
  const b = (await store.insertJob(newJob())).job;
  await store.claimJob(b.id, 'w1', Date.now() + 1000, Date.now());
  const got = await store.getJobs([a.id, b.id, a.id, newJobId()]);
  assert.deepEqual(got.map((j) => j.id).sort(), [a.id, b.id].sort());
  assert.deepEqual(await store.getJobs([]), []);
  const events = await store.getEventsAt([
    { jobId: a.id, seq: 1 },
    { jobId: b.id, seq: 2 },
    { jobId: b.id, seq: 9 },
  ]);
  assert.deepEqual(events.map((e) => `${e.jobId === a.id ? 'a' : 'b'}:${e.seq}:${e.type}`).sort(), ['a:1:queued', 'b:2:running']);
  assert.deepEqual(await store.getEventsAt([]), []);
});
