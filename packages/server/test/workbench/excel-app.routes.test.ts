/**
 * The image-to-Excel app's routes without running OCR (the worker threads are held back, so jobs
 * stay queued): its field names on the task, `ocr/start` idempotent (and starting again after
 * `ocr_failed`), `ocr/poll` answering the current state and moving a task whose job ended, and
 * on tasks whose OCR result is set up through the real store and blob store: the full-grid table
 * data, saves (a grid sent back unchanged rebuilds the merges; malformed bodies are 422 and save
 * nothing), generate and download with their state changes, 409 before OCR and 404 for unknown ids.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { GridSheet, OcrDocument, Table } from '@ocrflow/core';
import { dataset, SMALL_TABLE } from '../helpers/fixtures.helper.ts';
import { newTaskId } from '../../src/workbench/tasks.service.ts';
import { PollGate, startWb, WbApi, workbenchFiles, type Sheet, type TaskView, type WbServer } from './helpers/workbench.helper.ts';

let srv: WbServer;
let api: WbApi;
let gate: PollGate;

before(async () => {
  // No webhook and the long-poll fallback held: only `ocr/poll` can tell a task that its job ended.
  gate = new PollGate();
  srv = await startWb({ startWorkers: false, workbench: { fetch: gate.fetch, webhookUrl: null } });
  api = new WbApi(srv.url);
});
after(() => srv?.close());

interface TableData {
  task_id: string;
  status: string;
  total_sheets: number;
  version: number;
  sheets: GridSheet[];
}
type Step = TaskView & { message: string };

const post = <T>(p: string, body?: unknown) =>
  api.call<T>(p, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

function cell(row: number, col: number, text: string, row_span = 1, col_span = 1) {
  return { row, col, row_span, col_span, bbox: null, text, lines: [] };
}

/** A report-like table: a two-row header cell, a title over two columns, a 2×2 block; and a plain one. */
const merged: Table = {
  n_rows: 5,
  n_cols: 4,
  ruled: true,
  cells: [
    cell(0, 0, '项目', 2, 1),
    cell(0, 1, '2025 Q1', 1, 2),
    cell(0, 3, 'Note'),
    cell(1, 1, 'plan'),
    cell(1, 2, 'actual'),
    cell(1, 3, ''),
    cell(2, 0, 'A'),
    cell(2, 1, '10'),
    cell(2, 2, '12'),
    cell(2, 3, 'ok'),
    cell(3, 0, 'B'),
    cell(3, 1, 'merged 2x2', 2, 2),
    cell(3, 3, 'x'),
    cell(4, 0, 'C'),
    cell(4, 3, 'y'),
  ],
};
const plain: Table = { n_rows: 2, n_cols: 2, ruled: false, cells: [cell(0, 0, 'k'), cell(0, 1, 'v'), cell(1, 0, 'a'), cell(1, 1, '1')] };
const DOC: OcrDocument = {
  schema: 'ocrflow.document/1',
  meta: { engine: 'paddle', languages: ['ch'], mime: 'image/png', page_count: 1 },
  pages: [
    {
      index: 0,
      width: 100,
      height: 100,
      rotation: 0,
      source: 'ocr',
      engine: 'paddle',
      flags: [],
      timings_ms: {},
      blocks: [
        { id: 'p0-b0', type: 'table', bbox: [0, 0, 1, 1], table: merged },
        { id: 'p0-b1', type: 'table', bbox: [0, 1, 1, 2], table: plain },
      ],
    },
  ],
};
const MERGES = ['A1:A2', 'B1:C1', 'B4:C5'];

/** A task whose OCR is done (its OCR JSON stored), set up through the real store and blob store. */
async function ocrDoneTask(name: string): Promise<string> {
  const { store, blobs } = srv.service.services.workbench!.ctx;
  const id = newTaskId();
  const png = dataset(SMALL_TABLE);
  await blobs.put(`workbench/${id}/source`, png);
  await blobs.put(`workbench/${id}/ocr/document.json`, JSON.stringify(DOC));
  await store.insertTask(
    {
      id,
      tenant: 'default',
      filename: name,
      mime: 'image/png',
      sizeBytes: png.length,
      sha256: 'd'.repeat(64),
      sourceKey: `workbench/${id}/source`,
      pageCount: 1,
      now: Date.now(),
    },
    ['created', 'uploaded'],
  );
  await store.transition(id, { from: ['uploaded'], to: 'ocr_processing', now: Date.now() });
  await store.transition(id, { from: ['ocr_processing'], to: 'ocr_done', patch: { ocrJobId: 'job-set-up-by-the-test', tableCount: 2 }, now: Date.now() });
  return id;
}

const mergesOf = (ws: ExcelJS.Worksheet) => [...(ws.model as unknown as { merges: string[] }).merges].sort();
async function download(id: string) {
  const res = await fetch(`${srv.url}/api/v1/excel/download/${id}`);
  assert.equal(res.status, 200, await res.clone().text());
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await res.arrayBuffer()) as ArrayBuffer);
  return { wb, res };
}

let uploaded: TaskView;

test("the task carries the app's names: task_id, image_path, ocr_json_path, excel_path, ocr_job_id, times with their offset", async () => {
  const r = await api.upload(dataset(SMALL_TABLE), 'report-scan.png');
  assert.equal(r.status, 201, JSON.stringify(r.body));
  uploaded = r.body.data;
  assert.equal(uploaded.task_id, uploaded.id);
  assert.equal(uploaded.image_path, `/api/v1/tasks/${uploaded.id}/image`);
  assert.deepEqual([uploaded.ocr_json_path, uploaded.excel_path, uploaded.error_message], [null, null, null]);
  assert.match(uploaded.ocr_job_id ?? '', /\S/);
  for (const t of [uploaded.created_at, uploaded.updated_at, ...uploaded.transitions.map((x) => x.at)])
    assert.match(t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
  assert.ok(Math.abs(Date.parse(uploaded.created_at) - Date.now()) < 60_000);
  const got = await api.task(uploaded.task_id);
  assert.deepEqual([got.task_id, got.status, got.image_path], [uploaded.id, 'ocr_processing', uploaded.image_path]);
  const img = await fetch(srv.url + got.image_path);
  assert.ok(Buffer.from(await img.arrayBuffer()).equals(dataset(SMALL_TABLE)));
  // An updated_at pasted unencoded into the long-poll's `since` (its `+` read as a space) still works.
  const lp = await api.call<TaskView>(`/api/v1/tasks/${got.id}/events?since=${got.updated_at}&timeout_ms=50`);
  assert.equal(lp.status, 200, JSON.stringify(lp.body));
});

test('ocr/start answers with the running job, however often it is called; ocr/poll answers the current state', async () => {
  for (let i = 0; i < 2; i++) {
    const r = await post<Step>(`/api/v1/ocr/start/${uploaded.task_id}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      [r.body.data.task_id, r.body.data.ocr_job_id, r.body.data.status, r.body.data.message],
      [uploaded.id, uploaded.ocr_job_id, 'ocr_processing', 'OCR is running'],
    );
  }
  const jobs = (await (await fetch(`${srv.url}/v1/jobs?task_id=${uploaded.id}`)).json()) as { jobs: unknown[] };
  assert.equal(jobs.jobs.length, 1, 'one OCR job');
  const p = await post<Step>(`/api/v1/ocr/poll/${uploaded.task_id}`);
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.deepEqual([p.body.data.status, p.body.data.ocr_job_id, p.body.data.message], ['ocr_processing', uploaded.ocr_job_id, 'OCR is running']);
  assert.deepEqual(
    (await api.task(uploaded.id)).transitions.map((t) => t.status),
    ['created', 'uploaded', 'ocr_processing'],
    'nothing moved',
  );
});

test('ocr/poll moves on a task whose job ended (nobody else told it); ocr/start then starts it again', async () => {
  // The job is canceled behind the task's back: no webhook, the fallback held at its gate.
  assert.equal((await fetch(`${srv.url}/v1/jobs/${uploaded.ocr_job_id}`, { method: 'DELETE' })).status, 200);
  assert.equal((await api.task(uploaded.id)).status, 'ocr_processing');
  const p = await post<Step>(`/api/v1/ocr/poll/${uploaded.id}`);
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal(p.body.data.status, 'ocr_failed');
  assert.equal(p.body.data.error_message, 'The OCR job was canceled');
  assert.match(p.body.data.message, /^OCR failed: The OCR job was canceled/);
  // Polling again changes nothing.
  assert.equal((await post<Step>(`/api/v1/ocr/poll/${uploaded.id}`)).body.data.status, 'ocr_failed');

  const s = await post<Step>(`/api/v1/ocr/start/${uploaded.id}`);
  assert.equal(s.status, 200, JSON.stringify(s.body));
  assert.deepEqual([s.body.data.status, s.body.data.ocr_job_id, s.body.data.error_message], ['ocr_processing', uploaded.ocr_job_id, null]);
  const job = (await (await fetch(`${srv.url}/v1/jobs/${uploaded.ocr_job_id}`)).json()) as { status: string };
  assert.equal(job.status, 'queued', 'the same job, retried');
  assert.deepEqual(
    (await api.task(uploaded.id)).transitions.map((t) => t.status),
    ['created', 'uploaded', 'ocr_processing', 'ocr_failed', 'ocr_processing'],
  );
});

test('before OCR is done the tables and the workbook are 409; unknown ids are 404 on every route — all in the envelope', async () => {
  const id = uploaded.id;
  for (const [p, method] of [
    [`/api/v1/table/data/${id}`, 'GET'],
    [`/api/v1/excel/generate/${id}`, 'POST'],
    [`/api/v1/excel/download/${id}`, 'GET'],
  ]) {
    const r = await api.call(p, { method });
    assert.equal(r.status, 409, `${p}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, 'OCRFLOW_ERR_RESULT_NOT_READY', p);
    assert.match(r.body.message, /ocr_processing/, p);
  }
  const save = await post(`/api/v1/table/save/${id}`, { sheets: [{ sheet_name: 'S', data: [[{ text: 'x' }]] }] });
  assert.deepEqual([save.status, save.body.code], [409, 'OCRFLOW_ERR_INVALID_STATE']);
  const none = 'tsk_00000000000000000000000000';
  for (const [p, method] of [
    [`/api/v1/ocr/start/${none}`, 'POST'],
    [`/api/v1/ocr/poll/${none}`, 'POST'],
    [`/api/v1/tasks/${none}`, 'GET'],
    [`/api/v1/table/data/${none}`, 'GET'],
    [`/api/v1/table/save/${none}`, 'POST'],
    [`/api/v1/excel/generate/${none}`, 'POST'],
    [`/api/v1/excel/download/${none}`, 'GET'],
  ]) {
    const r = method === 'POST' && p.includes('save') ? await post(p, { sheets: [] }) : await api.call(p, { method });
    assert.equal(r.status, 404, `${p}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, 'OCRFLOW_ERR_TASK_NOT_FOUND', p);
  }
});

let doneId: string;
let grid: TableData;

test('table/data: the full grid, merged cells once at their top-left with spans, covered positions empty; reading changes nothing', async () => {
  doneId = await ocrDoneTask('季度报表.png');
  const r = await api.call<TableData>(`/api/v1/table/data/${doneId}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  grid = r.body.data;
  assert.deepEqual([grid.task_id, grid.status, grid.total_sheets, grid.version], [doneId, 'ocr_done', 2, 1]);
  const [s, t] = grid.sheets;
  assert.deepEqual([s.sheet_id, s.sheet_name, s.rows, s.cols, t.sheet_id, t.rows, t.cols], [1, 'Table_1', 5, 4, 2, 2, 2]);
  assert.ok(s.data.every((row) => row.length === 4));
  assert.deepEqual(s.data[0][0], { text: '项目', rowspan: 2, colspan: 1, is_header: true });
  assert.deepEqual(s.data[0][1], { text: '2025 Q1', rowspan: 1, colspan: 2, is_header: true });
  assert.deepEqual(s.data[3][1], { text: 'merged 2x2', rowspan: 2, colspan: 2, is_header: false });
  for (const [r2, c] of [
    [0, 2],
    [1, 0],
    [3, 2],
    [4, 1],
    [4, 2],
  ])
    assert.deepEqual([s.data[r2][c].text, s.data[r2][c].rowspan, s.data[r2][c].colspan], ['', 1, 1], `covered ${r2},${c}`);
  const task = await api.task(doneId);
  assert.deepEqual([task.status, task.workbook_version, task.excel_path, task.ocr_json_path], ['ocr_done', null, null, `/api/v1/tasks/${doneId}/document`]);
});

test('malformed save bodies: 422 saying what is wrong, and nothing is saved', async () => {
  const filesBefore = workbenchFiles(srv.dataDir).filter((f) => f.startsWith(doneId));
  const body = () => structuredClone(grid);
  const cases: [string, unknown, RegExp][] = [
    ['an array body', [1], /body must be an object/],
    ['no sheets', { task_id: doneId }, /sheets must be an array/],
    ["another task's id", { ...body(), task_id: 'tsk_01ABCDEFGHJKMNPQRSTVWXYZ00' }, /task_id in the body .* is not the task in the path/],
    ['total_sheets disagrees', { ...body(), total_sheets: 3 }, /total_sheets is 3 but sheets holds 2/],
    [
      'text over a merge',
      (() => {
        const b = body();
        b.sheets[0].data[1][0].text = 'lost?';
        return b;
      })(),
      /Sheet 1 \("Table_1"\), row 2, column 1 is covered by the merged cell at row 1, column 1 \(rowspan 2, colspan 1\) but holds "lost\?"/,
    ],
    [
      'a ragged grid',
      (() => {
        const b = body();
        b.sheets[0].data[2].pop();
        return b;
      })(),
      /row 3: 3 cells where row 1 has 4/,
    ],
    [
      'a span outside',
      (() => {
        const b = body();
        b.sheets[0].data[4][3].colspan = 2;
        return b;
      })(),
      /row 5, column 4: the merged cell \(rowspan 1, colspan 2\) reaches outside the grid/,
    ],
    [
      'a bad span',
      (() => {
        const b = body();
        (b.sheets[1].data[0][0] as { rowspan: unknown }).rowspan = 'two';
        return b;
      })(),
      /Sheet 2 \("Table_2"\), row 1, column 1: rowspan and colspan must be whole numbers/,
    ],
    [
      'a cell that is not a cell',
      (() => {
        const b = body();
        (b.sheets[1].data[1] as unknown[])[1] = 'x';
        return b;
      })(),
      /Sheet 2 \("Table_2"\), row 2, column 2: expected a cell/,
    ],
    [
      'a bad sheet name',
      (() => {
        const b = body();
        b.sheets[1].sheet_name = 'a/b';
        return b;
      })(),
      /Sheet 2: the name "a\/b" contains/,
    ],
  ];
  for (const [name, b, re] of cases) {
    const r = await post(`/api/v1/table/save/${doneId}`, b);
    assert.equal(r.status, 422, `${name}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, 'OCRFLOW_ERR_INVALID_SHEETS', name);
    assert.match(r.body.message, re, name);
  }
  const notJson = await post(`/api/v1/table/save/${doneId}`, '{"sheets": [');
  assert.deepEqual([notJson.status, notJson.body.code], [400, 'OCRFLOW_ERR_BAD_JSON']);
  const task = await api.task(doneId);
  assert.deepEqual([task.status, task.workbook_version], ['ocr_done', null], 'no version, no state change');
  assert.deepEqual(
    workbenchFiles(srv.dataDir).filter((f) => f.startsWith(doneId)),
    filesBefore,
    'no file written',
  );
});

test('table/save: the grid sent back unchanged rebuilds the same merges; an edit is version 2 and the task editable', async () => {
  const unchanged = await post<{ task_id: string; version: number; status: string }>(`/api/v1/table/save/${doneId}`, grid);
  assert.equal(unchanged.status, 200, JSON.stringify(unchanged.body));
  assert.deepEqual(unchanged.body.data, { task_id: doneId, version: 2, status: 'editable' });
  const tables = await api.call<{ versions: { version: number; source: string }[] }>(`/api/v1/tasks/${doneId}/tables`);
  assert.deepEqual(
    tables.body.data.versions.map((v) => [v.version, v.source]),
    [
      [1, 'ocr'],
      [2, 'edit'],
    ],
  );
  const v1 = (await api.call<{ sheets: Sheet[] }>(`/api/v1/tasks/${doneId}/tables?version=1`)).body.data.sheets;
  const v2 = (await api.call<{ sheets: Sheet[] }>(`/api/v1/tasks/${doneId}/tables?version=2`)).body.data.sheets;
  assert.deepEqual(v2, v1, 'the round trip is exact: merges rebuilt, no cells over them');
  assert.deepEqual(v1[0].merges, [
    { row: 0, col: 0, row_span: 2, col_span: 1 },
    { row: 0, col: 1, row_span: 1, col_span: 2 },
    { row: 3, col: 1, row_span: 2, col_span: 2 },
  ]);

  const edited = structuredClone(grid);
  edited.sheets[0].data[2][3].text = '已修改';
  edited.sheets[0].data[3][1].text = 'merged, edited';
  const saved = await post<{ version: number; status: string }>(`/api/v1/table/save/${doneId}`, edited);
  assert.deepEqual([saved.status, saved.body.data.version, saved.body.data.status], [200, 3, 'editable']);
  const again = await api.call<TableData>(`/api/v1/table/data/${doneId}`);
  assert.deepEqual([again.body.data.status, again.body.data.version], ['editable', 3]);
  assert.deepEqual(again.body.data.sheets, edited.sheets, 'read back as sent');
  const task = await api.task(doneId);
  assert.deepEqual(
    task.transitions.map((t) => t.status),
    ['created', 'uploaded', 'ocr_processing', 'ocr_done', 'excel_generated', 'editable'],
  );
  assert.equal(task.excel_path, `/api/v1/excel/download/${doneId}`);

  // generate keeps the latest version and the state; download is that version, named after the upload.
  const g = await post<{ task_id: string; version: number; status: string; excel_path: string }>(`/api/v1/excel/generate/${doneId}`);
  assert.equal(g.status, 200, JSON.stringify(g.body));
  assert.deepEqual([g.body.data.version, g.body.data.status, g.body.data.excel_path], [3, 'editable', `/api/v1/excel/download/${doneId}`]);
  const { wb, res } = await download(doneId);
  assert.equal(res.headers.get('x-workbook-version'), '3');
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="report.xlsx"; filename*=UTF-8''${encodeURIComponent('季度报表.xlsx')}`);
  const ws = wb.getWorksheet('Table_1')!;
  assert.deepEqual(mergesOf(ws), MERGES);
  assert.equal(ws.getCell('D3').value, '已修改');
  assert.equal(ws.getCell('B4').value, 'merged, edited');
  assert.equal(wb.getWorksheet('Table_2')!.getCell('B2').value, 1);
});

test('excel/generate at ocr_done stores version 1 (→ excel_generated); a save then makes it editable', async () => {
  const id = await ocrDoneTask('gen.png');
  const g = await post<{ version: number; status: string; excel_path: string; message: string }>(`/api/v1/excel/generate/${id}`);
  assert.equal(g.status, 200, JSON.stringify(g.body));
  assert.deepEqual([g.body.data.version, g.body.data.status, g.body.data.excel_path], [1, 'excel_generated', `/api/v1/excel/download/${id}`]);
  assert.equal((await post<{ version: number }>(`/api/v1/excel/generate/${id}`)).body.data.version, 1, 'generating again makes no new version');
  const { wb } = await download(id);
  assert.deepEqual(mergesOf(wb.getWorksheet('Table_1')!), MERGES);
  assert.equal(wb.getWorksheet('Table_1')!.getCell('B4').value, 'merged 2x2');
  const data = (await api.call<TableData>(`/api/v1/table/data/${id}`)).body.data;
  assert.deepEqual([data.status, data.version], ['excel_generated', 1]);
  data.sheets[1].data[1][0].text = 'b';
  const s = await post<{ version: number; status: string }>(`/api/v1/table/save/${id}`, data);
  assert.deepEqual([s.body.data.version, s.body.data.status], [2, 'editable']);
  assert.deepEqual(
    (await api.task(id)).transitions.map((t) => t.status),
    ['created', 'uploaded', 'ocr_processing', 'ocr_done', 'excel_generated', 'editable'],
  );
});

test("excel/download at ocr_done generates version 1 first; ocrflow's own tables route reads version 1 before it is stored", async () => {
  const id = await ocrDoneTask('dl.png');
  const derived = await api.call<{ version: number; versions: { version: number; source: string }[]; sheets: Sheet[] }>(`/api/v1/tasks/${id}/tables`);
  assert.deepEqual([derived.body.data.version, derived.body.data.versions.map((v) => v.source)], [1, ['ocr']]);
  assert.equal((await api.task(id)).workbook_version, null);
  const { wb, res } = await download(id);
  assert.equal(res.headers.get('x-workbook-version'), '1');
  assert.deepEqual(mergesOf(wb.getWorksheet('Table_1')!), MERGES);
  const task = await api.task(id);
  assert.deepEqual([task.status, task.workbook_version], ['excel_generated', 1]);
  const stored = await api.call<{ sheets: Sheet[] }>(`/api/v1/tasks/${id}/tables`);
  assert.deepEqual(stored.body.data.sheets, derived.body.data.sheets, 'the stored version 1 is the one that was shown');
  // ocrflow's own save with the base it was shown.
  const put = await api.putTables(id, { sheets: stored.body.data.sheets, base_version: 1 });
  assert.deepEqual([put.status, put.body.data.version], [200, 2]);
});

test('past OCR, ocr/start and ocr/poll answer the task as it is; excel/generate after excel_failed tries again', async () => {
  const id = await ocrDoneTask('failed-once.png');
  for (const p of [`/api/v1/ocr/start/${id}`, `/api/v1/ocr/poll/${id}`]) {
    const r = await post<Step>(p);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.data.status, r.body.data.message], ['ocr_done', 'OCR is done'], p);
  }
  const { store } = srv.service.services.workbench!.ctx;
  await store.transition(id, {
    from: ['ocr_done'],
    to: 'excel_failed',
    patch: { errorMessage: 'The workbook could not be generated: disk full' },
    now: Date.now(),
  });
  assert.equal((await post<Step>(`/api/v1/ocr/start/${id}`)).body.data.status, 'excel_failed', 'OCR is not run again for a workbook failure');
  const data = await api.call(`/api/v1/table/data/${id}`);
  assert.deepEqual([data.status, data.body.code], [409, 'OCRFLOW_ERR_RESULT_NOT_READY']);
  assert.match(data.body.message, /excel_failed.*retry/);
  const g = await post<{ version: number; status: string }>(`/api/v1/excel/generate/${id}`);
  assert.equal(g.status, 200, JSON.stringify(g.body));
  assert.deepEqual([g.body.data.version, g.body.data.status], [1, 'excel_generated']);
  const task = await api.task(id);
  assert.equal(task.error_message, null);
  assert.deepEqual(
    task.transitions.map((t) => t.status),
    ['created', 'uploaded', 'ocr_processing', 'ocr_done', 'excel_failed', 'ocr_done', 'excel_generated'],
  );
});
