/**
 * The webhook outbox with several processes on PostgreSQL: each delivery is leased by
 * exactly one process at a time. Four stores with their own connection pools (four processes)
 * claim from the same outbox at once; every due delivery is claimed once, an expired lease is
 * taken over by exactly one of them, and the process that lost a lease cannot record its attempt.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlDeliveryStore } from '../../src/adapters/sql/sql.deliveries.ts';
import type { SqlJobStore } from '../../src/adapters/sql/sql.store.ts';
import type { JobStore, NewDelivery } from '../../src/index.ts';
import { newJob, openStore, scaledConfig, SKIP } from './helpers/scaled.helper.ts';

const PROCESSES = 4;
let stores: JobStore[] = [];
let outboxes: SqlDeliveryStore[] = [];

before(async () => {
  if (SKIP) return;
  const config = scaledConfig('deliveries-claim', { OCRFLOW_DATABASE_POOL_MAX: '4' });
  for (let i = 0; i < PROCESSES; i++) stores.push(await openStore(config));
  outboxes = stores.map((s) => new SqlDeliveryStore((s as SqlJobStore).db, 'postgres'));
});
after(async () => {
  for (const s of stores) await s.close();
  stores = [];
});

let seq = 0;
async function addDeliveries(n: number, now: number): Promise<string[]> {
  const { job } = await stores[0].insertJob(newJob());
  const rows: NewDelivery[] = Array.from({ length: n }, (_, i) => ({
    id: `d-${job.id}-${++seq}`,
    tenant: job.tenant,
    messageId: `msg_${seq}`,
    jobId: job.id,
    eventSeq: 1,
    eventType: 'finished',
    eventTime: now,
    url: `http://127.0.0.1:9/${i}`,
    source: 'job',
    dedupeKey: null,
    payload: null,
    redeliveryOf: null,
    now,
  }));
  await outboxes[0].insert(rows);
  return rows.map((r) => r.id);
}

test('four processes claiming at once: every due delivery is leased exactly once', { skip: SKIP }, async () => {
  const now = Date.now();
  const ids = await addDeliveries(400, now - 1000);
  const claimed = new Map<string, string>();
  let twice = 0;
  await Promise.all(
    outboxes.map(async (o, p) => {
      const owner = `proc-${p}`;
      for (let idle = 0; idle < 3; ) {
        const got = await o.claimDue(owner, now + 60_000, now, 7);
        if (!got.length) {
          idle++;
          continue;
        }
        idle = 0;
        for (const d of got) {
          assert.equal(d.leaseOwner, owner);
          assert.equal(d.state, 'sending');
          if (claimed.has(d.id)) twice++;
          claimed.set(d.id, owner);
        }
      }
    }),
  );
  assert.equal(twice, 0, 'no delivery was handed to two processes');
  assert.deepEqual([...claimed.keys()].sort(), [...ids].sort(), 'every due delivery was claimed');
  // The database agrees with what each process was told.
  for (const [id, owner] of claimed) assert.equal((await outboxes[1].get(id))?.leaseOwner, owner);
  const perProcess = outboxes.map((_, p) => [...claimed.values()].filter((o) => o === `proc-${p}`).length);
  assert.ok(perProcess.filter((n) => n > 0).length >= 2, `claims were spread over processes: ${perProcess}`);
});

test('an expired lease is taken over by exactly one process; the old owner cannot record its attempt', { skip: SKIP }, async () => {
  const now = Date.now();
  const [id] = await addDeliveries(1, now - 1000);
  const first = await outboxes[0].claimDue('dead-proc', now - 1, now - 10, 1); // its lease has already run out
  assert.deepEqual(
    first.map((d) => d.id),
    [id],
  );
  const takeovers = await Promise.all(outboxes.map((o, p) => o.claimDue(`proc-${p}`, now + 60_000, now, 10)));
  const winners = takeovers.flat().filter((d) => d.id === id);
  assert.equal(winners.length, 1, 'one process took the expired lease over');
  const attempt = {
    id,
    n: 1,
    outcome: { ok: true, startedAt: now, durationMs: 5, httpStatus: 200, error: null, responseExcerpt: null },
    next: { state: 'delivered' as const },
  };
  assert.deepEqual(await outboxes[2].recordAttempts('dead-proc', [attempt], now), [false], 'the old owner lost the lease');
  assert.deepEqual(await outboxes[3].recordAttempts(winners[0].leaseOwner!, [attempt], now), [true]);
  const d = (await outboxes[0].listForJob(winners[0].jobId)).find((x) => x.id === id);
  assert.equal(d?.state, 'delivered');
  assert.deepEqual(
    d?.attempts.map((a) => [a.n, a.owner]),
    [[1, winners[0].leaseOwner]],
  );
});
