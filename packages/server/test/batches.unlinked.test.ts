/**
 * A document whose job was committed but whose link to its batch was not yet written when the
 * process died (the window between the two writes of a batch POST): when that job ends, its
 * terminal transaction writes the link from the job's own options and the batch's log gets its
 * `document_ended` event, like every other document's.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { newJobId } from '../src/util/ids.ts';
import { newJob } from './helpers/jobs.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const batchJob = (options: Record<string, unknown>, taskId: string) => newJob({ options, taskId });

test('a batch document that was never linked gets its link and its document_ended event when it ends', async () => {
  const srv = await startTestServer({ startWorkers: false });
  servers.push(srv);
  const { store, batches } = srv.service.adapters;
  const batch = await batches.insert({
    id: newJobId(),
    tenant: 'default',
    batchKey: 'half-written',
    contentHash: 'c'.repeat(64),
    webhookUrl: null,
    total: 2,
    now: Date.now(),
  });

  // Position 1 was linked as usual; position 2's job was committed and the process died before its link.
  const linked = batchJob({ batch: batch.id, batch_position: 1 }, 'half-written#1');
  const unlinked = batchJob({ batch: batch.id, batch_position: 2 }, 'half-written#2');
  await store.insertJob(linked);
  await batches.addDocument(batch.id, { position: 1, jobId: linked.id, taskId: linked.taskId });
  await store.insertJob(unlinked);
  assert.deepEqual(
    (await batches.listDocuments(batch.id, 0, 10)).map((d) => d.position),
    [1],
  );

  for (const job of [unlinked, linked]) {
    const now = Date.now();
    assert.ok(await store.claimJob(job.id, 'test', now + 60_000, now));
    assert.ok(await store.finishJob(job.id, 'test', { resultKey: `jobs/${job.id}/result`, metrics: {} }, Date.now()));
  }

  const docs = await batches.listDocuments(batch.id, 0, 10);
  assert.deepEqual(
    docs.map((d) => [d.position, d.jobId, d.taskId]),
    [
      [1, linked.id, 'half-written#1'],
      [2, unlinked.id, 'half-written#2'],
    ],
  );
  const events = await batches.listEvents(batch.id, 0, 10);
  assert.deepEqual(
    events.map((e) => [e.type, e.data.job_id, e.data.position]),
    [
      ['created', undefined, undefined],
      ['document_ended', unlinked.id, 2],
      ['document_ended', linked.id, 1],
    ],
  );
  assert.deepEqual(
    events.map((e) => e.seq),
    [1, 2, 3],
  );
  // Still `creating` (the POST has not been repeated yet): the batch ends when it is opened.
  const opened = await batches.open(batch.id, Date.now(), async () => {});
  assert.equal(opened?.state, 'ended');
  assert.equal((await batches.counts(batch.id)).byStatus.finished, 2);
});

test('a job that names a batch it was never part of, at a position another job holds, is not linked', async () => {
  const srv = await startTestServer({ startWorkers: false });
  servers.push(srv);
  const { store, batches } = srv.service.adapters;
  const batch = await batches.insert({
    id: newJobId(),
    tenant: 'default',
    batchKey: 'taken',
    contentHash: 'd'.repeat(64),
    webhookUrl: null,
    total: 1,
    now: Date.now(),
  });
  const owner = batchJob({ batch: batch.id, batch_position: 1 }, 'taken#1');
  const intruder = batchJob({ batch: batch.id, batch_position: 1 }, 'other');
  await store.insertJob(owner);
  await batches.addDocument(batch.id, { position: 1, jobId: owner.id, taskId: owner.taskId });
  await store.insertJob(intruder);
  const now = Date.now();
  assert.ok(await store.claimJob(intruder.id, 'test', now + 60_000, now));
  assert.ok(await store.finishJob(intruder.id, 'test', { resultKey: `jobs/${intruder.id}/result`, metrics: {} }, Date.now()));
  assert.deepEqual(
    (await batches.listDocuments(batch.id, 0, 10)).map((d) => d.jobId),
    [owner.id],
  );
  assert.deepEqual(
    (await batches.listEvents(batch.id, 0, 10)).map((e) => e.type),
    ['created'],
  );
});
