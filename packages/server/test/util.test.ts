/** Job ids (time-sortable, monotonic), cursors, and the wake-up that long-polls rely on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor, isJobId, newJobId } from '../src/util/ids.ts';
import { Wakeup } from '../src/util/wakeup.ts';

test('job ids sort by creation, also within one millisecond', () => {
  const now = Date.now();
  const ids = Array.from({ length: 1000 }, () => newJobId(now));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  const later = newJobId(now + 1);
  assert.ok(later > ids.at(-1)!);
  assert.ok(ids.every(isJobId));
  assert.equal(isJobId('../../etc/passwd'), false);
});

test('cursors round-trip and reject anything else', () => {
  const id = newJobId();
  assert.equal(decodeCursor(encodeCursor(id)), id);
  assert.equal(decodeCursor('bm9wZQ'), null);
  assert.equal(decodeCursor(''), null);
});

test('a notify before wait is not lost; wait times out or aborts otherwise', async () => {
  const w = new Wakeup();
  w.notify();
  assert.equal(await w.wait(10_000), true);
  assert.equal(await w.wait(20), false);
  const ac = new AbortController();
  const p = w.wait(10_000, ac.signal);
  ac.abort();
  assert.equal(await p, false);
  const q = w.wait(10_000);
  w.notify();
  assert.equal(await q, true);
});
