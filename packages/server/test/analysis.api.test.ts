/**
 * The analysis step in the job service: analysis.json beside the result of every job
 * when OCRFLOW_ANALYSIS is on, `GET /v1/jobs/{id}/analysis` with the result route's 404/409
 * semantics, and nothing when it is off. The receipt is a text-layer PDF (no OCR time).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { validateAnalysis, type Analysis } from '@ocrflow/analysis';
import { Api, type ErrorBody } from './helpers/api.helper.ts';
import { makePdf } from './helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';

const RECEIPT = makePdf([
  {
    text: [
      'KEDAI RUNCIT MAJU SDN BHD',
      '(123456-K)',
      'NO. 12, JALAN BUNGA RAYA 3,',
      'TAMAN MELATI, 53100 KUALA LUMPUR',
      'TEL: 03-4142 1234',
      'TAX INVOICE',
      'INVOICE NO: INV-2019-00042',
      'DATE: 12/01/2019 10:15',
      'SUGAR 1KG 2.80',
      'RICE 5KG 18.50',
      'SUB TOTAL 21.30',
      'TOTAL (RM) 21.30',
      'CASH 50.00',
      'CHANGE 28.70',
      'THANK YOU, PLEASE COME AGAIN',
    ],
  },
]);

let on: TestServer;
let off: TestServer;
let apiOn: Api;
let apiOff: Api;
let queuedId = '';

before(async () => {
  on = await startTestServer({ env: { OCRFLOW_ANALYSIS: '1' }, startWorkers: false });
  off = await startTestServer({ env: { OCRFLOW_ANALYSIS: '0' } });
  apiOn = new Api(on.url);
  apiOff = new Api(off.url);
});
after(async () => {
  await on.close();
  await off.close();
});

test('analysis: 404 for an unknown job, 409 until the job is finished', async () => {
  const missing = await apiOn.json<ErrorBody>('/v1/jobs/01JNOSUCHJOB000000000000000/analysis');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'OCRFLOW_ERR_JOB_NOT_FOUND');
  const job = await apiOn.submit(RECEIPT, 'receipt.pdf');
  queuedId = job.id;
  const early = await apiOn.json<ErrorBody>(`/v1/jobs/${job.id}/analysis`);
  assert.equal(early.status, 409);
  assert.equal(early.body.error.code, 'OCRFLOW_ERR_RESULT_NOT_READY');
});

test('analysis: stored beside the result after the job and served by the route', async () => {
  await on.service.startWorkers();
  const job = await apiOn.waitDone(queuedId);
  assert.equal(job.status, 'finished');
  assert.equal(typeof (job.metrics.steps_ms as Record<string, number>).analysis, 'number');
  const r = await apiOn.json<Analysis>(`/v1/jobs/${job.id}/analysis`);
  assert.equal(r.status, 200);
  assert.ok(validateAnalysis(r.body).ok, JSON.stringify(validateAnalysis(r.body)));
  assert.equal(r.body.analyser, 'builtin');
  assert.equal(r.body.kind, 'receipt');
  assert.equal(r.body.fields.company?.value, 'KEDAI RUNCIT MAJU SDN BHD');
  assert.equal(r.body.fields.date?.value, '12/01/2019');
  assert.equal(r.body.fields.date?.normalized, '2019-01-12');
  assert.equal(r.body.fields.total?.value, 21.3);
  assert.equal(r.body.fields.invoice_number?.value, 'INV-2019-00042');
  // The file sits in the job's result directory.
  const file = path.join(on.dataDir, 'files', 'jobs', job.id, 'result', 'analysis.json');
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), r.body);
  // And the summary a webhook carries is built from it.
  const summary = await on.service.services.analysis!.summaryFor((await on.service.adapters.store.getJob(job.id))!);
  assert.equal(summary?.fields.total, 21.3);
  assert.equal(summary?.date_iso, '2019-01-12');
});

test('analysis off: the job finishes without analysis.json and the route answers 404', async () => {
  const job = await apiOff.waitDone((await apiOff.submit(RECEIPT, 'receipt.pdf')).id);
  assert.equal(job.status, 'finished');
  const r = await apiOff.json<ErrorBody>(`/v1/jobs/${job.id}/analysis`);
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, 'OCRFLOW_ERR_NOT_FOUND');
  assert.match(r.body.error.message, /disabled/);
});
