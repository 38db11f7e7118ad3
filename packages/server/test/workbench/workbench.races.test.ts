/**
 * Webhook versus long-poll fallback, in both orders, on real OCR jobs. The OCR service's real,
 * signed webhook is sent to a holding receiver (it is forwarded byte for byte when the test says),
 * and the client's long-poll requests are held by a gate until the test opens it. Whichever path
 * comes first finishes the task; the other is a no-op: one transition each, the OCR JSON stored once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { dataset, SMALL_TABLE } from '../helpers/fixtures.helper.ts';
import { Receiver, type Received } from '../helpers/receiver.helper.ts';
import { PollGate, startWb, until, WbApi, type TaskView, type WbServer } from './helpers/workbench.helper.ts';

let rx: Receiver;
let gate: PollGate;
let srv: WbServer;
let api: WbApi;

before(async () => {
  rx = await Receiver.start();
  gate = new PollGate();
  srv = await startWb({ workbench: { fetch: gate.fetch, webhookUrl: `${rx.url}/hold` } });
  api = new WbApi(srv.url);
});
after(async () => {
  await srv?.close();
  await rx?.close();
});

const wb = () => srv.service.services.workbench!;

/** Upload, then wait until its OCR job finished and its webhook reached the holding receiver. */
async function ocrDoneButUnreported(name: string): Promise<{ task: TaskView; hook: Received }> {
  const r = await api.upload(dataset(SMALL_TABLE), name);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const task = r.body.data;
  // Any end of the job ends the wait; the assertion then says which, with the job as it stands.
  let job: { status: string; error?: unknown } = { status: 'unknown' };
  await until(
    `job of ${name} to end`,
    async () => {
      job = (await (await fetch(`${srv.url}/v1/jobs/${task.ocr_job_id}`)).json()) as typeof job;
      return ['finished', 'failed', 'cancelled'].includes(job.status);
    },
    120_000,
  ).catch(async (e: Error) => {
    const health = await (await fetch(`${srv.url}/health`)).text();
    throw new Error(`${e.message}; the job: ${JSON.stringify(job)}; /health: ${health}`);
  });
  assert.equal(job.status, 'finished', JSON.stringify(job));
  const hook = await until(`webhook of ${name}`, () => rx.at('/hold').find((h) => JSON.parse(h.body).task_id === task.id), 30_000);
  assert.equal(JSON.parse(hook.body).type, 'job.finished');
  // Neither path has told the task yet.
  assert.equal((await api.task(task.id)).status, 'ocr_processing');
  assert.ok(gate.held >= 1, 'the fallback is waiting at the gate');
  return { task, hook };
}

/** Forward the held delivery exactly as the OCR service sent it. */
async function forward(hook: Received) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const h of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) headers[h] = hook.headers[h];
  return api.call<{ task_id: string; outcome: string; reason: string }>('/api/v1/ocr/webhook', { method: 'POST', headers, body: hook.body });
}

/** The versions the tables list, and the stored one: version 1 is derived on demand, none stored yet. */
async function versionsOf(id: string): Promise<number[]> {
  const r = await api.call<{ versions: { version: number }[] }>(`/api/v1/tasks/${id}/tables`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((await api.task(id)).workbook_version, null, 'no workbook stored by OCR finishing');
  return r.body.data.versions.map((v) => v.version);
}

/** OCR done: the task rests at ocr_done (its workbook is made when first asked for). */
const FULL = ['created', 'uploaded', 'ocr_processing', 'ocr_done'];

test('webhook first, then the long-poll: the webhook finishes the task, the poll is a no-op', async () => {
  const { task, hook } = await ocrDoneButUnreported('webhook-first.png');
  const r = await forward(hook);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual([r.body.data.task_id, r.body.data.outcome], [task.id, 'completed']);
  const done = await api.waitFor(task.id, ['ocr_done', 'ocr_failed'], 60_000);
  assert.equal(done.status, 'ocr_done', done.error_message ?? '');

  gate.open(task.ocr_job_id!);
  await wb().ocr.settled(); // the fallback has now seen the end too, and did nothing
  assert.equal(wb().ocr.following, 0);
  const after = await api.task(task.id);
  assert.deepEqual(
    after.transitions.map((t) => t.status),
    FULL,
  );
  assert.equal(after.updated_at, done.updated_at);
  assert.deepEqual(await versionsOf(task.id), [1]);
  // A second copy of the same delivery (a sender retry) changes nothing either.
  const again = await forward(hook);
  assert.equal(again.body.data.outcome, 'ignored');
  assert.deepEqual(
    (await api.task(task.id)).transitions.map((t) => t.status),
    FULL,
  );
});

test('long-poll first, then the webhook: the poll finishes the task, the webhook is a no-op', async () => {
  const { task, hook } = await ocrDoneButUnreported('poll-first.png');
  gate.open(task.ocr_job_id!);
  const done = await api.waitFor(task.id, ['ocr_done', 'ocr_failed'], 60_000);
  assert.equal(done.status, 'ocr_done', done.error_message ?? '');
  await wb().ocr.settled();

  const r = await forward(hook);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual([r.body.data.outcome, r.body.data.reason], ['ignored', 'the task is already ocr_done']);
  await wb().ocr.settled();
  const after = await api.task(task.id);
  assert.deepEqual(
    after.transitions.map((t) => t.status),
    FULL,
  );
  assert.equal(after.updated_at, done.updated_at);
  assert.deepEqual(await versionsOf(task.id), [1]);
});

test('both at the same moment: still one transition each and one version', async () => {
  const { task, hook } = await ocrDoneButUnreported('together.png');
  const [r] = await Promise.all([forward(hook), Promise.resolve(gate.open(task.ocr_job_id!))]);
  assert.equal(r.status, 200);
  const done = await api.waitFor(task.id, ['ocr_done', 'ocr_failed'], 60_000);
  await wb().ocr.settled();
  assert.equal(done.status, 'ocr_done');
  assert.deepEqual(
    (await api.task(task.id)).transitions.map((t) => t.status),
    FULL,
  );
  assert.deepEqual(await versionsOf(task.id), [1]);
});
