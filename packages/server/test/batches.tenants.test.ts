/**
 * Batches belong to the tenant whose token made them: another tenant gets 404 by id and by
 * batch_id and may use the same batch_id for its own; an admin token sees every batch. With the
 * workers held back, canceling a batch cancels every document, and that ends the batch.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Api } from './helpers/api.helper.ts';
import { getBatch, submitBatch, type Batch } from './helpers/batch.helper.ts';
import { makePdf, textPage } from './helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';

const TOKENS = { alpha: 'alpha-batch-token', beta: 'beta-batch-token', ops: 'ops-batch-token' };
let srv: TestServer;
let alpha: Api;
let beta: Api;
let ops: Api;

before(async () => {
  srv = await startTestServer({
    startWorkers: false,
    env: { OCRFLOW_TOKENS: `alpha:${TOKENS.alpha},beta:${TOKENS.beta},ops:${TOKENS.ops}`, OCRFLOW_ADMIN_TOKENS: 'ops' },
  });
  alpha = new Api(srv.url, TOKENS.alpha);
  beta = new Api(srv.url, TOKENS.beta);
  ops = new Api(srv.url, TOKENS.ops);
});
after(async () => {
  await srv?.close();
});

const doc = (n: number) => ({ data: makePdf([textPage(n)]), name: `p${n}.pdf` });

test('another tenant cannot see, cancel or collect a batch; the same batch_id is its own', async () => {
  const a = await submitBatch(alpha, [doc(1), doc(2)], { batch_id: 'shared-name' });
  assert.equal(a.status, 202, JSON.stringify(a.body));
  for (const p of [
    `/v1/batches/${a.body.batch.id}`,
    '/v1/batches/shared-name',
    `/v1/batches/${a.body.batch.id}/events?timeout_ms=0`,
    `/v1/batches/${a.body.batch.id}/documents`,
  ]) {
    const r = await beta.json<{ error: { code: string } }>(p);
    assert.deepEqual([r.status, r.body.error.code], [404, 'OCRFLOW_ERR_BATCH_NOT_FOUND'], p);
  }
  assert.equal((await beta.fetch(`/v1/batches/${a.body.batch.id}/results`)).status, 404);
  assert.equal((await beta.json(`/v1/batches/${a.body.batch.id}`, { method: 'DELETE' })).status, 404);
  const b = await submitBatch(beta, [doc(3)], { batch_id: 'shared-name' });
  assert.equal(b.status, 202, JSON.stringify(b.body));
  assert.notEqual(b.body.batch.id, a.body.batch.id);
  assert.equal((await getBatch(ops, a.body.batch.id)).total, 2, 'an admin sees every tenant');
  assert.equal((await getBatch(beta, 'shared-name')).id, b.body.batch.id);
});

test('with the workers held back, cancel cancels every document and ends the batch', async () => {
  const r = await submitBatch(alpha, [doc(1), doc(2), doc(3)]);
  assert.equal(r.status, 202);
  assert.deepEqual([r.body.batch.state, r.body.batch.counts.queued], ['open', 3]);
  const c = await alpha.json<{ batch: Batch; canceled: number }>(`/v1/batches/${r.body.batch.id}`, { method: 'DELETE' });
  assert.deepEqual([c.status, c.body.canceled, c.body.batch.state, c.body.batch.counts.canceled], [200, 3, 'ended', 3]);
  const ev = await alpha.json<{ events: { type: string }[]; done: boolean }>(`/v1/batches/${r.body.batch.id}/events?timeout_ms=0`);
  assert.deepEqual(
    ev.body.events.map((e) => e.type),
    ['created', 'document_ended', 'document_ended', 'document_ended', 'ended'],
  );
  assert.equal(ev.body.done, true);
});
