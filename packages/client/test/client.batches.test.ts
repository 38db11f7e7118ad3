/**
 * The SDK's batch methods against the real service (in-process, real SQLite, real OCR, loopback
 * HTTP, a Bearer token): submit from paths and bytes, waitFor with every event once, documents,
 * the results zip (bytes and stream), server paths, cancel, and the error mapping.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { dataset, DATASETS, makePdf, SLOW_TABLE, SMALL_TABLE, textPage } from '../../server/test/helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.helper.ts';
import { readZip } from '../../server/test/helpers/zip.helper.ts';
import { OcrflowApiError, OcrflowClient, type BatchEvent } from '../src/index.ts';

const TOKEN = 'sdk-batch-token';
let srv: TestServer;
let ocr: OcrflowClient;

before(async () => {
  srv = await startTestServer({ env: { OCRFLOW_TOKENS: TOKEN, OCRFLOW_INPUT_DIRS: path.join(DATASETS, 'pubtabnet-dev') } });
  ocr = new OcrflowClient({ baseUrl: srv.url, token: TOKEN });
});
after(async () => {
  await srv?.close();
});

test('submit a local path and bytes as one batch, wait for it, read its documents and its zip', async () => {
  const created = await ocr.batches.submit([path.join(DATASETS, SMALL_TABLE), { data: makePdf([textPage(1)]), filename: 'notes.pdf' }], {
    batchId: 'sdk-batch',
    mode: 'text',
  });
  assert.equal(created.batch.total, 2);
  const seen: BatchEvent[] = [];
  const done = await ocr.batches.waitFor(created.batch.id, { onEvent: (e) => seen.push(e) });
  assert.equal(done.state, 'ended');
  assert.deepEqual(done.counts.finished, 2);
  assert.deepEqual(
    seen.map((e) => e.seq),
    seen.map((_, i) => i + 1),
  );
  assert.deepEqual(
    seen.map((e) => e.type),
    ['created', 'document_ended', 'document_ended', 'ended'],
  );
  const docs = [];
  for await (const d of ocr.batches.documents('sdk-batch')) docs.push(d);
  assert.deepEqual(docs, created.documents);
  const entries = readZip(Buffer.from(await ocr.batches.results(done.id, 'text')));
  assert.deepEqual(
    entries.map((e) => e.name),
    ['00001_pubtabnet-PMC3907710_006_00.txt', '00002_notes.txt', 'manifest.json'],
  );
  assert.match(entries[1].data.toString('utf8'), /Page 1 line 8/);
  const chunks: Uint8Array[] = [];
  for await (const c of (await ocr.batches.resultsStream(done.id, 'text')) as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  assert.deepEqual(
    readZip(Buffer.concat(chunks)).map((e) => e.name),
    entries.map((e) => e.name),
  );
  // Repeated: the same batch.
  const again = await ocr.batches.submit([path.join(DATASETS, SMALL_TABLE), { data: makePdf([textPage(1)]), filename: 'notes.pdf' }], {
    batchId: 'sdk-batch',
    mode: 'text',
  });
  assert.equal(again.batch.id, created.batch.id);
});

test('server paths and cancel; errors as OcrflowApiError with their codes', async () => {
  const created = await ocr.batches.submitPaths([path.join(DATASETS, SLOW_TABLE), path.join(DATASETS, SMALL_TABLE), path.join(DATASETS, SMALL_TABLE)], {
    taskIds: ['p1', 'p2', 'p3'],
  });
  assert.deepEqual(
    created.documents.map((d) => d.task_id),
    ['p1', 'p2', 'p3'],
  );
  const c = await ocr.batches.cancel(created.batch.id);
  assert.ok(c.canceled >= 2, `${c.canceled} canceled`);
  const done = await ocr.batches.waitFor(created.batch.id);
  assert.equal(done.ended, 3);
  await assert.rejects(
    ocr.batches.get('no-such-batch'),
    (e: unknown) => e instanceof OcrflowApiError && e.code === 'OCRFLOW_ERR_BATCH_NOT_FOUND' && e.status === 404,
  );
  await assert.rejects(
    ocr.batches.submit([{ data: dataset(SMALL_TABLE), filename: 'x.png' }], { batchId: 'sdk-batch' }),
    (e: unknown) => e instanceof OcrflowApiError && e.code === 'OCRFLOW_ERR_BATCH_ID_CONFLICT',
  );
  await assert.rejects(ocr.batches.submitPaths(['/etc/hostname']), (e: unknown) => e instanceof OcrflowApiError && e.code === 'OCRFLOW_ERR_FORBIDDEN_PATH');
});
