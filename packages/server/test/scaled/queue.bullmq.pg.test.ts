/**
 * The BullMQ queue against real Redis with the PostgreSQL store as its source of truth:
 * idempotent enqueue, priority then age, the runner's settle (done removes, retry backs off),
 * cancel, the sync that puts back a queued job Redis lost, a clean close handing an untaken job
 * back, and a worker process killed with -9 mid-job whose job another process then gets.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobStore } from '../../src/index.ts';
import type { QueueAdapters } from '../../src/adapters/adapters.factory.ts';
import type { BullmqQueue } from '../../src/adapters/redis/bullmq.queue.ts';
import { REPO_ROOT } from '../helpers/fixtures.helper.ts';
import { backendEnv } from '../helpers/backend.helper.ts';
import { closeQueue, newJob, openQueue, openStore, scaledConfig, SKIP, until } from './helpers/scaled.helper.ts';

const KEY = 'bullmq-queue';
const ENV = { OCRFLOW_LEASE_MS: '1000', OCRFLOW_RETRY_BACKOFF_MS: '300' };
let store: JobStore;
const opened: QueueAdapters[] = [];

async function queueProcess(env: Record<string, string> = {}): Promise<BullmqQueue> {
  const q = await openQueue(scaledConfig(KEY, { ...ENV, ...env }), store);
  opened.push(q);
  return q.queue as BullmqQueue;
}

async function queuedJob(priority?: number): Promise<string> {
  const { job } = await store.insertJob(newJob({ options: priority === undefined ? {} : { priority } }));
  return job.id;
}

/** The runner's side of a job it took: settle it with the queue, and end it in the store (the truth the sync reads). */
async function finish(q: BullmqQueue, id: string): Promise<void> {
  await q.settle(id, 'done');
  await store.cancelJob(id, Date.now());
}

/** Take the next id within a time limit (a test must not hang on an empty queue). */
async function take(q: BullmqQueue, ms = 20_000): Promise<string | null> {
  return q.next(AbortSignal.timeout(ms));
}

before(async () => {
  if (!SKIP) store = await openStore(scaledConfig(KEY));
});
// Every process of a test ends with it: a BullMQ worker left running would take the next test's jobs.
afterEach(async () => {
  for (const q of opened.splice(0)) await closeQueue(q);
});
after(async () => {
  await store?.close();
});

test('enqueue twice is a no-op; positions follow priority, then age; workers take them in that order', { skip: SKIP }, async () => {
  const producer = await queueProcess();
  const [a, b, c, d] = [await queuedJob(), await queuedJob(5), await queuedJob(0), await queuedJob(-3)];
  for (const id of [a, b, c, d, a]) await producer.enqueue(id);
  await producer.enqueue(b, { priority: 5 });
  assert.equal(await producer.size(), 4);
  assert.deepEqual(await Promise.all([b, a, c, d].map((id) => producer.position(id))), [1, 2, 3, 4]);
  const worker = await queueProcess();
  const order: string[] = [];
  for (let i = 0; i < 4; i++) {
    const id = await take(worker);
    assert.ok(id);
    order.push(id);
    await finish(worker, id);
    assert.equal(await worker.queue.getJob(id), undefined, 'a settled job leaves BullMQ');
  }
  assert.deepEqual(order, [b, a, c, d]);
  assert.equal(await producer.size(), 0);
});

test('only jobs the store calls queued are enqueued', { skip: SKIP }, async () => {
  const q = await queueProcess();
  const id = await queuedJob();
  await store.cancelJob(id, Date.now());
  await q.enqueue(id);
  assert.equal(await q.queue.getJob(id), undefined);
});

test('retry: the job comes back after its back-off, with the attempt counted by BullMQ', { skip: SKIP }, async () => {
  const worker = await queueProcess();
  const id = await queuedJob();
  await worker.enqueue(id);
  assert.equal(await take(worker), id);
  await worker.settle(id, 'retry');
  const job = await worker.queue.getJob(id);
  assert.equal(await job?.getState(), 'delayed');
  assert.equal(job?.attemptsMade, 1);
  assert.equal(await take(worker), id, 'offered again once the back-off passed');
  await finish(worker, id);
});

test('cancel removes a waiting job; the queue sync puts back a queued job Redis lost', { skip: SKIP }, async () => {
  const q = await queueProcess();
  const gone = await queuedJob();
  await q.enqueue(gone);
  await store.cancelJob(gone, Date.now()); // as the API cancels: the store first, then the queue
  await q.remove(gone);
  assert.equal(await q.queue.getJob(gone), undefined);
  assert.equal(await q.position(gone), null);

  const lost = await queuedJob();
  await q.enqueue(lost);
  await q.queue.remove(lost); // as if Redis had been flushed
  assert.equal(await q.queue.getJob(lost), undefined);
  await q.sync();
  assert.equal(await q.queue.getJob(lost).then((j) => j?.getState()), 'prioritized');
  await store.cancelJob(lost, Date.now());
  await q.remove(lost);
});

test('closing a worker hands a job it fetched but never started back to the queue', { skip: SKIP }, async () => {
  const first = await queueProcess({ OCRFLOW_WORKERS: '2' });
  const [a, b] = [await queuedJob(), await queuedJob()];
  await first.enqueue(a);
  await first.enqueue(b);
  assert.equal(await take(first), a);
  // Concurrency 2: BullMQ hands b to this process too, where no slot takes it.
  await until('b fetched', async () => (await first.queue.getJob(b).then((j) => j?.getState())) === 'active');
  await finish(first, a);
  await first.close();
  const second = await queueProcess();
  assert.equal(await second.queue.getJob(b).then((j) => j?.getState()), 'prioritized');
  assert.equal(await take(second), b);
  assert.equal((await second.queue.getJob(b))?.attemptsMade, 0, 'handing back is not an attempt');
  await finish(second, b);
});

test('kill -9 of a worker process mid-job: another process gets the job once its lock expires', { skip: SKIP }, async () => {
  const id = await queuedJob();
  const producer = await queueProcess();
  await producer.enqueue(id);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers/queue.child.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...backendEnv(KEY), ...ENV, OCRFLOW_WORKERS: '1', OCRFLOW_DATA_DIR: os.tmpdir(), NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  try {
    await until('the child took the job', () => out.includes(`took ${id}`), 60_000);
    assert.equal(await producer.queue.getJob(id).then((j) => j?.getState()), 'active');
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  // Stall detection (lock 1 s) in the surviving worker moves the job back to wait; it takes it.
  const survivor = await queueProcess();
  assert.equal(await take(survivor, 30_000), id);
  await finish(survivor, id);
});
