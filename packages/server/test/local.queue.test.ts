/**
 * The embedded shape's in-process queue: a worker that starts waiting while a job is being
 * enqueued (its priority still being read from the store) gets that job, instead of the job
 * sitting in the list until some other job arrives. This race left the first job of a freshly
 * started server queued forever when the worker loops came up during the upload.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalQueue } from '../src/adapters/local.queue.ts';

test('a worker that starts waiting while a job is being enqueued receives it', async () => {
  let release!: () => void;
  const priorityRead = new Promise<void>((r) => (release = r));
  const q = new LocalQueue(async () => {
    await priorityRead; // the store read of the job's priority, slow under load
    return 0;
  });
  const enqueued = q.enqueue('job-1');
  // The worker loop comes up now: nothing in the list yet, so it waits.
  const ac = new AbortController();
  const got = q.next(ac.signal);
  release();
  await enqueued;
  const id = await Promise.race([got, new Promise((r) => setTimeout(() => r('still waiting'), 1000))]);
  assert.equal(id, 'job-1');
  assert.equal(await q.size(), 0, 'handed over, not also left in the list');
  await q.close();
});

test('without a waiter the job waits in the list, in priority order, and the next call takes it', async () => {
  const q = new LocalQueue();
  await q.enqueue('low', { priority: -1 });
  await q.enqueue('high', { priority: 5 });
  await q.enqueue('normal');
  assert.deepEqual([await q.position('high'), await q.position('normal'), await q.position('low')], [1, 2, 3]);
  const ac = new AbortController();
  assert.equal(await q.next(ac.signal), 'high');
  // An aborted waiter is forgotten: a later job goes to the list, not to it.
  const gone = new AbortController();
  await q.next(gone.signal); // takes 'normal'
  await q.next(gone.signal); // takes 'low'
  const waiting = q.next(gone.signal);
  gone.abort();
  assert.equal(await waiting, null);
  await q.enqueue('later');
  assert.equal(await q.size(), 1);
  await q.close();
});

test('removed ids are skipped, a re-queued id takes its new place, positions count only what waits', async () => {
  const q = new LocalQueue();
  for (const id of ['a', 'b', 'c', 'd']) await q.enqueue(id);
  await q.enqueue('urgent', { priority: 3 });
  await q.remove('b');
  await q.remove('not-queued');
  assert.equal(await q.size(), 4);
  assert.deepEqual(
    [await q.position('urgent'), await q.position('a'), await q.position('c'), await q.position('d'), await q.position('b')],
    [1, 2, 3, 4, null],
  );
  // Queued again after its removal: at the back of its priority, not at its old place.
  await q.enqueue('b');
  await q.enqueue('a'); // already queued: no second entry
  assert.equal(await q.position('b'), 5);
  const ac = new AbortController();
  const order: (string | null)[] = [];
  for (let i = 0; i < 5; i++) order.push(await q.next(ac.signal));
  assert.deepEqual(order, ['urgent', 'a', 'c', 'd', 'b']);
  assert.equal(await q.size(), 0);
  await q.close();
});

test('thousands of jobs over several priorities come out highest first, FIFO among equals', async () => {
  const q = new LocalQueue();
  const expected = new Map<number, string[]>();
  for (let i = 0; i < 5000; i++) {
    const p = ((i * 7) % 5) - 2;
    const id = `job-${i}`;
    await q.enqueue(id, { priority: p });
    if (i % 10 === 3) await q.remove(id);
    else (expected.get(p) ?? expected.set(p, []).get(p)!).push(id);
  }
  const want = [2, 1, 0, -1, -2].flatMap((p) => expected.get(p) ?? []);
  assert.equal(await q.size(), want.length);
  assert.equal(await q.position(want[want.length - 1]), want.length);
  const ac = new AbortController();
  const got: (string | null)[] = [];
  for (let i = 0; i < want.length; i++) got.push(await q.next(ac.signal));
  assert.deepEqual(got, want);
  await q.close();
});
