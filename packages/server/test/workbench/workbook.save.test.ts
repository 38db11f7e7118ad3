/**
 * A big workbook save does not freeze the server: the .xlsx is built on a thread of its own, so
 * `/health` keeps answering while it runs; and the sheets body is bounded by
 * OCRFLOW_WORKBENCH_MAX_SHEETS_MB (413 past it, nothing saved).
 *
 * The server runs in this very process, so while the event loop is blocked nothing here runs
 * either: health checks chained one after the other can only complete during the save if the
 * save leaves the loop free.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { makePdf, textPage } from '../helpers/fixtures.helper.ts';
import { startWb, WbApi, type WbServer } from './helpers/workbench.helper.ts';

let srv: WbServer;
let api: WbApi;
let taskId: string;
const ROWS = 200;
const COLS = 500;

before(async () => {
  srv = await startWb({ env: { OCRFLOW_WORKBENCH_MAX_SHEETS_MB: '3' } });
  api = new WbApi(srv.url);
  const up = await api.upload(makePdf([textPage(1)]), 'table.pdf');
  assert.equal(up.status, 201, JSON.stringify(up.body));
  taskId = up.body.data.id;
  const t = await api.waitFor(taskId, ['ocr_done', 'ocr_failed'], 60_000);
  assert.equal(t.status, 'ocr_done', t.error_message ?? '');
});
after(async () => {
  await srv.close();
});

const bigSheets = () => [{ name: 'Big', rows: Array.from({ length: ROWS }, (_, r) => Array.from({ length: COLS }, (_, c) => (c === 0 ? r : `r${r}c${c}`))), merges: [] }];

test(`/health keeps answering while a ${ROWS} × ${COLS} workbook is saved`, async () => {
  const body = JSON.stringify({ sheets: bigSheets() });
  assert.ok(body.length < 3 * 1024 * 1024, `the body (${body.length} bytes) fits the configured limit`);
  let saveDone = false;
  const save = fetch(`${srv.url}/api/v1/tasks/${taskId}/tables`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body }).then(async (r) => {
    saveDone = true;
    return { status: r.status, body: (await r.json()) as { data: { version: number } | null; message: string } };
  });
  // Health checks one after the other until the save answers.
  let answeredDuringSave = 0;
  while (!saveDone) {
    const h = await fetch(`${srv.url}/health`);
    assert.equal(h.status, 200);
    await h.arrayBuffer();
    if (!saveDone) answeredDuringSave++;
  }
  const saved = await save;
  assert.equal(saved.status, 200, saved.body.message);
  assert.equal(saved.body.data?.version, 2, 'version 1 (the OCR sheets) first, the edit on top');
  // Blocking the loop for the build would let only the few checks around the upload and the file
  // writes through; a build off the loop lets them through all along.
  assert.ok(answeredDuringSave >= 20, `/health answered ${answeredDuringSave} times during the save`);

  // The workbook built on the thread is the one saved.
  const xlsx = await fetch(`${srv.url}/api/v1/tasks/${taskId}/excel`);
  assert.equal(xlsx.status, 200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await xlsx.arrayBuffer());
  const ws = wb.getWorksheet('Big');
  assert.ok(ws);
  assert.equal(ws.rowCount, ROWS);
  assert.equal(ws.getRow(ROWS).getCell(COLS).value, `r${ROWS - 1}c${COLS - 1}`);
  assert.equal(ws.getRow(2).getCell(1).value, 1);
});

test('a sheets body past OCRFLOW_WORKBENCH_MAX_SHEETS_MB is refused with 413 and nothing is saved', async () => {
  const before = (await api.call<{ version: number }>(`/api/v1/tasks/${taskId}/tables`)).body.data.version;
  const rows = Array.from({ length: 400 }, (_, r) => Array.from({ length: 1000 }, (_, c) => `row ${r} col ${c}`));
  const r = await api.putTables(taskId, { sheets: [{ name: 'Too big', rows, merges: [] }] });
  assert.deepEqual([r.status, r.body.code], [413, 'OCRFLOW_ERR_PAYLOAD_TOO_LARGE']);
  assert.equal((await api.call<{ version: number }>(`/api/v1/tasks/${taskId}/tables`)).body.data.version, before);
  // A bad sheet inside the limit still gets its own 422 (validated before any build).
  const bad = await api.putTables(taskId, { sheets: [{ name: 'Bad', rows: [[{ not: 'a value' }]], merges: [] }] });
  assert.deepEqual([bad.status, bad.body.code], [422, 'OCRFLOW_ERR_INVALID_SHEETS']);
});
