/**
 * The store's lease and BullMQ's lock cannot disagree for long. A worker process is frozen
 * (SIGSTOP: alive, holding its TCP connections, renewing nothing) in the middle of a 3-page PDF.
 * Its store lease and its BullMQ lock both run out; the other worker gets the job, resumes after
 * the stored page and finishes it. Then the frozen worker is thawed (SIGCONT) and carries on where
 * it stopped: every write it tries is refused by the store, so nothing is doubled.
 *
 * Measured: how long after the frozen worker's lease ran out (`lease_until`) another worker holds
 * the job. The lease is renewed every third of a lease, BullMQ's lock (as long as the lease) every
 * half, so the lock runs out at most a third of a lease after the lease; the stall check runs every
 * half lease and moves the job back to `wait`; the store's reaper (every half lease) re-queues it
 * within half a lease. So the two disagree for at most 5/6 of a lease, and the hand-over to the other worker
 * (BullMQ delivery, the store claim) comes on top; the test allows one lease plus 1 s for both.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Api } from '../helpers/api.helper.ts';
import { dataset, makePdf, SLOW_TABLE } from '../helpers/fixtures.helper.ts';
import { Cluster } from './helpers/cluster.helper.ts';
import { SKIP, until } from './helpers/scaled.helper.ts';

const LEASE_MS = 3000;
let cluster: Cluster | null = null;
after(async () => {
  for (const p of cluster?.processes ?? []) if (p.child.exitCode === null) p.child.kill('SIGCONT');
  await cluster?.stop();
});

test('a frozen worker: another takes its job within one lease after its lease ran out; thawed, it writes nothing', {
  skip: SKIP,
  timeout: 300_000,
}, async () => {
  cluster = new Cluster('lease-lock', { OCRFLOW_LEASE_MS: String(LEASE_MS) });
  const apiP = await cluster.start('api');
  const workers = [await cluster.start('worker'), await cluster.start('worker')];
  const api = new Api(apiP.url);
  const slow = dataset(SLOW_TABLE);
  const job = await api.submit(makePdf([{ image: slow }, { image: slow }, { image: slow }]), 'frozen.pdf', { mode: 'text' });

  const first = await until(
    'the job one page in',
    async () => {
      const [r] = await cluster!.sql<{ lease_owner: string }>(`SELECT lease_owner FROM jobs WHERE id = $1 AND status = 'running' AND done_pages = 1`, [job.id]);
      return r ?? null;
    },
    240_000,
  );
  const pid = Number(first.lease_owner.split(':').at(-2));
  const frozen = workers.find((w) => w.child.pid === pid);
  assert.ok(frozen, `the lease owner ${pid} is one of the workers`);
  frozen.child.kill('SIGSTOP');
  // The last renewal it made before it froze: its lease runs out at lease_until.
  await new Promise((r) => setTimeout(r, 200));
  const [{ lease_until }] = await cluster.sql<{ lease_until: string }>(`SELECT lease_until FROM jobs WHERE id = $1`, [job.id]);
  const leaseEnd = Number(lease_until);

  const taken = await until(
    'another worker holding the job',
    async () => {
      const [r] = await cluster!.sql<{ lease_owner: string | null; status: string }>(`SELECT lease_owner, status FROM jobs WHERE id = $1`, [job.id]);
      return r && r.status === 'running' && r.lease_owner && r.lease_owner !== first.lease_owner ? Date.now() : null;
    },
    60_000,
  );
  const window = taken - leaseEnd;
  console.log(`# another worker held the job ${window} ms after the frozen worker's lease ran out (lease ${LEASE_MS} ms)`);
  assert.ok(window <= LEASE_MS + 1000, `taken over ${window} ms after the lease ran out (bound: one lease + 1 s)`);

  await until('the job finished', async () => (await api.job(job.id)).status === 'finished', 180_000);
  frozen.child.kill('SIGCONT');
  // Give the thawed worker time to try: its heartbeat, its page write and its settle all come back.
  await new Promise((r) => setTimeout(r, 3 * LEASE_MS));

  const { events } = await api.poll(job.id, { since_seq: 0, timeout_ms: 0, max_events: 1000 });
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
    'seq contiguous from 1',
  );
  assert.equal(events.filter((e) => e.type === 'finished').length, 1, 'finished exactly once');
  assert.equal(events.at(-1)?.type, 'finished', 'nothing written after the finish');
  assert.deepEqual(
    events.filter((e) => e.type === 'queued').map((e) => e.reason),
    ['submitted', 'lease_expired'],
  );
  const pages = events
    .filter((e) => e.type === 'running' && e.phase === 'page')
    .map((e) => e.page as number)
    .sort();
  assert.deepEqual(pages, [1, 2, 3], 'every page recognised once');
  const v = await api.job(job.id);
  assert.deepEqual([v.status, v.attempts], ['finished', 2]);
  const doc = (await (await api.fetch(`/v1/jobs/${job.id}/result?format=json`)).json()) as { pages: { index: number }[] };
  assert.deepEqual(
    doc.pages.map((p) => p.index),
    [0, 1, 2],
    'the result has each page once',
  );
  assert.equal(frozen.child.exitCode, null, 'the thawed worker is still running');

  const codes = await cluster.stop();
  cluster = null;
  assert.deepEqual(codes, [0, 0, 0], 'every process, the thawed one included, stops gracefully');
});
