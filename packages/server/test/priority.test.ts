/**
 * Job priority, the same in both shapes (local queue; BullMQ in the PostgreSQL + Redis
 * pass): higher runs sooner, equal priorities oldest first, kept with the job, shown in the job,
 * refused outside -10 … 10. With one worker the jobs start in exactly that order.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Api, type ErrorBody } from './helpers/api.helper.ts';
import { makePdf, textPage } from './helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';

let srv: TestServer;
let api: Api;
before(async () => {
  srv = await startTestServer({ startWorkers: false, env: { OCRFLOW_WORKERS: '1' } });
  api = new Api(srv.url);
});
after(() => srv.close());

test('priority: higher first, then oldest first; positions, the job field and the run order agree', async () => {
  const doc = (n: number) => makePdf([textPage(n)]);
  const low = await api.submit(doc(1), 'low.pdf', { priority: '-5' });
  const normal1 = await api.submit(doc(2), 'normal1.pdf');
  const urgent = await api.submit(doc(3), 'urgent.pdf', { priority: '7' });
  const normal2 = await api.submit(doc(4), 'normal2.pdf', { priority: '0' });
  assert.deepEqual(
    [low, normal1, urgent, normal2].map((j) => j.priority),
    [-5, 0, 7, 0],
  );
  const expected = [urgent, normal1, normal2, low].map((j) => j.id);
  const positions = await Promise.all(expected.map(async (id) => (await api.job(id)).queue_position));
  assert.deepEqual(positions, [1, 2, 3, 4]);

  await srv.service.startWorkers();
  const done = await Promise.all(expected.map((id) => api.waitDone(id)));
  assert.ok(done.every((j) => j.status === 'finished'));
  const started = [...done].sort((a, b) => Date.parse(a.started_at as string) - Date.parse(b.started_at as string)).map((j) => j.id);
  assert.deepEqual(started, expected, 'one worker took them by priority, then age');
});

test('priority outside -10 … 10, or not a whole number, is a 400', async () => {
  for (const bad of ['11', '-11', '1.5', 'high']) {
    const r = await api.submitRaw(makePdf([textPage(1)]), 'bad.pdf', { priority: bad });
    assert.equal(r.status, 400, bad);
    assert.equal((r.body as ErrorBody).error.code, 'OCRFLOW_ERR_VALIDATION');
    assert.match((r.body as ErrorBody).error.message, /priority/);
  }
});
