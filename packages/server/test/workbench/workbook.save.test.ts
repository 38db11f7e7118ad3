/**
 * A big workbook save does not freeze the server: the .xlsx is built on a thread of its own, so
 * `/health` keeps answering while it runs; and the sheets body is bounded by
 * OCRFLOW_WORKBENCH_MAX_SHEETS_MB (413 past it, nothing saved).
 *
 * `ocrflow_workbooks_building` on /metrics says when a build is in progress; /health is asked
 * then, and must answer while that build still runs.
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

async function building(): Promise<number> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const m = /^ocrflow_workbooks_building (\d+)$/m.exec(text);
  return m ? Number(m[1]) : -1;
}

const bigSheets = () => [
  { name: 'Big', rows: Array.from({ length: ROWS }, (_, r) => Array.from({ length: COLS }, (_, c) => (c === 0 ? r : `r${r}c${c}`))), merges: [] },
];

test(`/health answers while a ${ROWS} × ${COLS} workbook is being built, before the save finishes`, async () => {
  const body = JSON.stringify({ sheets: bigSheets() });
  assert.ok(body.length < 3 * 1024 * 1024, `the body (${body.length} bytes) fits the configured limit`);
  let saveDone = false;
  const save = fetch(`${srv.url}/api/v1/tasks/${taskId}/tables`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body }).then(async (r) => {
    saveDone = true;
    return { status: r.status, body: (await r.json()) as { data: { version: number } | null; message: string } };
  });
  // Wait until the server says a workbook is being built, then ask /health: its answer must come
  // while that build is still going on (the server says so again afterwards) and before the save
  // answers. A build on the event loop would hold both /health and /metrics until it ended.
  let during: { health: number; stillBuilding: boolean; saveDone: boolean } | null = null;
  // (Version 1, the small OCR workbook, is built first: a check that catches only that one is tried again.)
  while (!saveDone && !during?.stillBuilding) {
    if ((await building()) > 0) {
      const h = await fetch(`${srv.url}/health`);
      await h.arrayBuffer();
      const health = h.status;
      const doneAtHealth = saveDone;
      during = { health, stillBuilding: (await building()) > 0, saveDone: doneAtHealth };
    }
  }
  const saved = await save;
  assert.equal(saved.status, 200, saved.body.message);
  assert.equal(saved.body.data?.version, 2, 'version 1 (the OCR sheets) first, the edit on top');
  assert.ok(during, 'the server reported a workbook being built during the save');
  assert.equal(during.health, 200);
  assert.equal(during.saveDone, false, '/health answered before the save finished');
  assert.equal(during.stillBuilding, true, '/health answered while the workbook was still being built');
  assert.equal(await building(), 0, 'nothing left building');

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
