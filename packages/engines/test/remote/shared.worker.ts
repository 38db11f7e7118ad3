/**
 * A worker thread of shared.semaphore.test.ts: adopts the shared limits through the same API the
 * server's OCR threads use, then takes the endpoint's slot `rounds` times, holding it `holdMs`,
 * and records how many holders there are at once in `stats` ([in flight, most in flight]). With
 * `holdUntil` the first hold also waits for that many holders, so a loaded machine cannot keep two
 * threads that may overlap from overlapping.
 * With `die`, it takes a slot and crashes without giving it back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { endpointSemaphore, useSharedLimits } from '../../src/remote/endpoint.semaphore.ts';
import type { SharedLimits } from '../../src/remote/shared.semaphore.ts';

export interface SharedWorkerData {
  limits: SharedLimits;
  owner: number;
  url: string;
  limit: number;
  rounds: number;
  holdMs: number;
  stats: SharedArrayBuffer;
  die?: boolean;
  /** Hold the first slot until this many holders are in at once (or 10 s): overlap without relying on timing. */
  holdUntil?: number;
}

const d = workerData as SharedWorkerData;
const stats = new Int32Array(d.stats);
useSharedLimits(d.limits, d.owner);

if (d.die) {
  await endpointSemaphore(d.url, d.limit).acquire();
  parentPort!.postMessage('holding');
  // An uncaught exception: the thread ends the way an engine bug ends it, slot still taken.
  await sleep(20);
  throw new Error('dying while holding a slot, on purpose');
}

for (let i = 0; i < d.rounds; i++) {
  const release = await endpointSemaphore(d.url, d.limit).acquire();
  const now = Atomics.add(stats, 0, 1) + 1;
  for (let max = Atomics.load(stats, 1); now > max; max = Atomics.load(stats, 1)) if (Atomics.compareExchange(stats, 1, max, now) === max) break;
  await sleep(d.holdMs);
  for (const end = Date.now() + 10_000; i === 0 && d.holdUntil && Atomics.load(stats, 0) < d.holdUntil && Date.now() < end; ) await sleep(5);
  Atomics.sub(stats, 0, 1);
  release();
}
parentPort!.postMessage('done');
