/**
 * The remote-engine concurrency limit shared by worker threads (vlm/shared.semaphore.ts): real
 * worker threads on one SharedArrayBuffer, as the server's OCR pool runs them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { Semaphore, endpointSemaphore } from '../../src/remote/endpoint.semaphore.ts';
import {
  createSharedLimits,
  releaseOwner,
  remoteLimitsFromConfig,
  sharedInUse,
  SharedSemaphore,
  type SharedLimits,
} from '../../src/remote/shared.semaphore.ts';
import type { SharedWorkerData } from './shared.worker.ts';

const URL_A = 'http://gpu-a:8000/v1';
const BOOTSTRAP = new URL('./shared.worker.mjs', import.meta.url);

function startWorker(d: Omit<SharedWorkerData, 'stats'> & { stats?: SharedArrayBuffer }): { worker: Worker; exited: Promise<number> } {
  const worker = new Worker(BOOTSTRAP, { workerData: { stats: new SharedArrayBuffer(8), ...d } });
  worker.on('error', () => {}); // the dying worker's error is expected; exit codes are checked
  // Not events.once: it would reject on the dying worker's 'error' event.
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  return { worker, exited };
}

async function runPair(limit: number, holdUntil?: number): Promise<{ max: number; ms: number }> {
  const limits = createSharedLimits([{ url: URL_A, limit }]);
  const stats = new SharedArrayBuffer(8);
  const t0 = Date.now();
  const ws = [1, 2].map((owner) => startWorker({ limits, owner, url: URL_A, limit, rounds: 3, holdMs: 100, stats, holdUntil }));
  assert.deepEqual(await Promise.all(ws.map((w) => w.exited)), [0, 0]);
  assert.equal(sharedInUse(limits, URL_A), 0, 'every slot given back');
  return { max: Atomics.load(new Int32Array(stats), 1), ms: Date.now() - t0 };
}

test('two worker threads share one limit: 1 means one request at a time over both', async () => {
  const { max, ms } = await runPair(1);
  assert.equal(max, 1);
  assert.ok(ms >= 6 * 100 - 20, `6 holds of 100 ms one after the other took ${ms} ms`);
});

test('two worker threads share one limit: 2 lets both in at once', async () => {
  // Each holder waits for the other (at most 10 s): with a limit of 1 that would never happen.
  const { max } = await runPair(2, 2);
  assert.equal(max, 2);
});

test('the slot of a thread that dies holding it is freed by releaseOwner, and a waiter gets it', async () => {
  const limits = createSharedLimits([{ url: URL_A, limit: 1 }]);
  const dying = startWorker({ limits, owner: 7, url: URL_A, limit: 1, rounds: 0, holdMs: 0, die: true });
  await once(dying.worker, 'message');
  // A second thread is already waiting for the slot when the first one dies.
  const stats = new SharedArrayBuffer(8);
  const waiting = startWorker({ limits, owner: 8, url: URL_A, limit: 1, rounds: 1, holdMs: 10, stats });
  assert.notEqual(await dying.exited, 0);
  assert.equal(sharedInUse(limits, URL_A), 1, 'the dead thread still holds its slot');
  assert.equal(releaseOwner(limits, 7), 1);
  assert.equal(releaseOwner(limits, 7), 0, 'freed once only');
  assert.equal(await waiting.exited, 0);
  assert.equal(Atomics.load(new Int32Array(stats), 1), 1, 'the waiting thread got the slot');
  assert.equal(sharedInUse(limits, URL_A), 0);
});

test('a waiter leaves at once when its signal aborts; releasing twice frees one slot', async () => {
  const limits = createSharedLimits([{ url: URL_A, limit: 1 }]);
  const holder = new SharedSemaphore(limits, URL_A, 1, 1);
  const other = new SharedSemaphore(limits, URL_A, 2, 1);
  const release = await holder.acquire();
  const ac = new AbortController();
  const waiting = other.acquire(ac.signal);
  const t0 = Date.now();
  setTimeout(() => ac.abort(new Error('canceled')), 30);
  await assert.rejects(waiting, /canceled/);
  assert.ok(Date.now() - t0 < 200, 'abort is not delayed to the next re-check');
  release();
  release();
  assert.equal(sharedInUse(limits, URL_A), 0);
  const r2 = await other.acquire();
  assert.equal(other.inUse, 1);
  r2();
});

test('limits from config: one region per distinct remote URL, sized by OCRFLOW_VLM_CONCURRENCY', () => {
  const l: SharedLimits = remoteLimitsFromConfig({ vlmBaseUrl: URL_A, ppstructureUrl: 'http://paddle:8000', vlmConcurrency: 3 });
  assert.deepEqual(l.endpoints, [
    { url: URL_A, offset: 0, slots: 3 },
    { url: 'http://paddle:8000', offset: 4, slots: 3 },
  ]);
  assert.deepEqual(remoteLimitsFromConfig({ vlmBaseUrl: '', ppstructureUrl: '', vlmConcurrency: 3 }).endpoints, []);
});

test("without shared limits (CLI scan, in-process engines) the limit is the thread's own semaphore", () => {
  assert.ok(endpointSemaphore('http://in-process:1/v1', 2) instanceof Semaphore);
});
