/**
 * The image-to-Excel app's clients against a real ocrflow (real OCR of the Chinese service report,
 * real SQLite or PostgreSQL, loopback HTTP):
 * - its documented acceptance sequence, request for request as its curl script sends them, followed
 *   to a downloaded .xlsx holding an edit made through /table/save;
 * - its frontend's flow, call for call as its `services/api.ts` and components make them (upload →
 *   start → poll `GET /tasks` + `POST /ocr/poll` until the status is exactly `ocr_done` or
 *   `ocr_failed` → table data → edit → save → generate → download), on the report's merged-cell
 *   table, checking that the merges and the edits survive into the file;
 * - `POST /ocr/poll` alone finishing a task whose job ended (no webhook, the long-poll held back).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { GridSheet } from '@ocrflow/core';
import { dataset, REPORT_SCAN, SMALL_TABLE } from '../helpers/fixtures.helper.ts';
import { PollGate, startWb, until, WbApi, type WbServer } from './helpers/workbench.helper.ts';

let srv: WbServer;

before(async () => {
  srv = await startWb();
});
after(() => srv?.close());

interface Task {
  task_id: string;
  status: string;
  image_path: string | null;
  ocr_json_path: string | null;
  excel_path: string | null;
  ocr_job_id: string | null;
  error_message: string | null;
  created_at: string;
  updated_at: string;
}
interface TableData {
  task_id: string;
  status: string;
  total_sheets: number;
  sheets: GridSheet[];
}
interface Api<T> {
  success: boolean;
  message: string;
  data: T;
}

const colName = (c: number) => {
  let s = '';
  for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
};
const mergesOfGrid = (s: GridSheet) =>
  s.data
    .flatMap((row, r) => row.flatMap((x, c) => (x.rowspan > 1 || x.colspan > 1 ? [`${colName(c)}${r + 1}:${colName(c + x.colspan - 1)}${r + x.rowspan}`] : [])))
    .sort();
const mergesOfXlsx = (ws: ExcelJS.Worksheet) => [...(ws.model as unknown as { merges: string[] }).merges].sort();
async function readXlsx(buf: ArrayBuffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf);
  return wb;
}

test("the acceptance sequence of the app's README, as curl sends it, ends in a downloaded .xlsx with the edit", { timeout: 600_000 }, async () => {
  const base = srv.url;
  // TASK_ID=$(curl -s -X POST $BASE/api/v1/upload/image -F file=@report-scan.jpg | python3 -c "…['data']['task_id']")
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(dataset(REPORT_SCAN))], { type: 'image/jpeg' }), 'report-scan.jpg');
  const uploaded = (await (await fetch(`${base}/api/v1/upload/image`, { method: 'POST', body: form })).json()) as Api<Task>;
  const TASK_ID = uploaded.data.task_id;
  assert.match(TASK_ID, /^tsk_/);
  // curl -X POST $BASE/api/v1/ocr/start/$TASK_ID
  const start = await fetch(`${base}/api/v1/ocr/start/${TASK_ID}`, { method: 'POST' });
  assert.equal(start.status, 200);
  const started = (await start.json()) as Api<{ task_id: string; ocr_job_id: string; status: string; message: string }>;
  assert.deepEqual([started.success, started.data.task_id, started.data.ocr_job_id], [true, TASK_ID, uploaded.data.ocr_job_id]);
  // curl $BASE/api/v1/tasks/$TASK_ID — again until OCR is done.
  let task!: Task;
  await until(
    'OCR done',
    async () => {
      const r = await fetch(`${base}/api/v1/tasks/${TASK_ID}`);
      assert.equal(r.status, 200);
      task = ((await r.json()) as Api<Task>).data;
      assert.notEqual(task.status, 'ocr_failed', task.error_message ?? '');
      return task.status === 'ocr_done';
    },
    480_000,
  );
  assert.deepEqual([task.task_id, task.ocr_json_path, task.excel_path], [TASK_ID, `/api/v1/tasks/${TASK_ID}/document`, null]);
  // curl $BASE/api/v1/table/data/$TASK_ID | python3 -c "…['data']" > table.json; edit; curl --data @table.json …/table/save
  const table = ((await (await fetch(`${base}/api/v1/table/data/${TASK_ID}`)).json()) as Api<TableData>).data;
  assert.ok(table.total_sheets >= 1);
  const sheet = table.sheets.reduce((a, b) => (b.rows * b.cols > a.rows * a.cols ? b : a));
  const si = table.sheets.indexOf(sheet);
  // A plain cell below the header: not merged, not covered by a merge.
  const covered = new Set<string>();
  sheet.data.forEach((row, r) =>
    row.forEach((x, c) => {
      for (let rr = r; rr < r + x.rowspan; rr++) for (let cc = c; cc < c + x.colspan; cc++) if (rr !== r || cc !== c) covered.add(`${rr},${cc}`);
    }),
  );
  const [er, ec] = (() => {
    for (let r = 1; r < sheet.rows; r++)
      for (let c = 0; c < sheet.cols; c++) if (!covered.has(`${r},${c}`) && sheet.data[r][c].rowspan === 1 && sheet.data[r][c].colspan === 1) return [r, c];
    throw new Error('no plain cell');
  })();
  sheet.data[er][ec].text = '验收 edited by curl';
  const save = await fetch(`${base}/api/v1/table/save/${TASK_ID}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(table),
  });
  assert.equal(save.status, 200, await save.clone().text());
  // curl -X POST …/excel/generate/$TASK_ID; curl -OJ …/excel/download/$TASK_ID
  assert.equal((await fetch(`${base}/api/v1/excel/generate/${TASK_ID}`, { method: 'POST' })).status, 200);
  const dl = await fetch(`${base}/api/v1/excel/download/${TASK_ID}`);
  assert.equal(dl.status, 200);
  assert.match(dl.headers.get('content-disposition') ?? '', /^attachment; filename="report-scan\.xlsx"/);
  const wb = await readXlsx(await dl.arrayBuffer());
  const ws = wb.worksheets[si];
  assert.equal(ws.name, sheet.sheet_name);
  assert.equal(ws.getCell(er + 1, ec + 1).value, '验收 edited by curl');
  assert.deepEqual(mergesOfXlsx(ws), mergesOfGrid(sheet));
});

/** The app's `services/api.ts`: fetch, and on a non-2xx answer throw with `detail` or `message`. */
async function appFetch<T>(url: string, init?: RequestInit): Promise<Api<T>> {
  const r = await fetch(url, init);
  if (!r.ok) {
    const body = (await r.json().catch(() => ({}))) as { detail?: string; message?: string };
    throw new Error(`${init?.method ?? 'GET'} ${url}: ${r.status} ${body.detail ?? body.message ?? r.statusText}`);
  }
  return (await r.json()) as Api<T>;
}

test("the app's frontend flow, call for call: the status it waits for arrives, and merges and edits survive into the file", { timeout: 600_000 }, async () => {
  const API = `${srv.url}/api/v1`;
  // UploadArea.handleUpload: upload, read data.task_id, start OCR.
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(dataset(REPORT_SCAN))], { type: 'image/jpeg' }), 'report-scan.jpg');
  const taskId = (await appFetch<Task>(`${API}/upload/image`, { method: 'POST', body: form })).data.task_id;
  await appFetch(`${API}/ocr/start/${taskId}`, { method: 'POST' });

  // UploadArea.pollOCRResult: getTask; stop at exactly ocr_done / ocr_failed; else wait, then pollOCR
  // (whose failure would end the wait with an error). The app waits 2 s, at most 30 times; here 1 s
  // and a larger cap, as this machine is shared — the stop rule is the app's.
  const seen: string[] = [];
  let outcome: 'done' | 'failed' | 'gave up' = 'gave up';
  for (let attempt = 0; attempt < 480; attempt++) {
    const task = (await appFetch<Task>(`${API}/tasks/${taskId}`)).data;
    if (seen[seen.length - 1] !== task.status) seen.push(task.status);
    if (task.status === 'ocr_done') {
      outcome = 'done';
      break;
    } else if (task.status === 'ocr_failed') {
      outcome = 'failed';
      break;
    }
    await new Promise((r) => setTimeout(r, 1000));
    const polled = await appFetch<{ task_id: string; status: string; message: string }>(`${API}/ocr/poll/${taskId}`, { method: 'POST' });
    assert.equal(polled.data.task_id, taskId);
  }
  assert.equal(outcome, 'done', `statuses seen: ${seen.join(' → ')}`);
  assert.deepEqual(
    seen.filter((s) => s !== 'ocr_done'),
    seen.slice(0, -1),
    'nothing past ocr_done before it',
  );
  for (const s of seen)
    assert.ok(['uploaded', 'ocr_processing', 'ocr_done'].includes(s), `only the statuses the app expects while waiting: ${seen.join(' → ')}`);

  // ExcelArea: table data, edits written into the grid as the editor does, save with the whole object.
  const tableData = (await appFetch<TableData>(`${API}/table/data/${taskId}`)).data;
  assert.equal(tableData.status, 'ocr_done');
  const si = tableData.sheets.reduce((best, s, i) => (mergesOfGrid(s).length > mergesOfGrid(tableData.sheets[best]).length ? i : best), 0);
  const sheet = tableData.sheets[si];
  const expectedMerges = mergesOfGrid(sheet);
  assert.ok(
    sheet.data.some((row) => row.some((x) => x.colspan > 1)) && sheet.data.some((row) => row.some((x) => x.rowspan > 1)),
    'the report has column and row merges',
  );
  assert.ok(sheet.data.every((row) => row.length === sheet.cols) && sheet.data.length === sheet.rows, 'the full grid');
  const merged = (() => {
    for (let r = 0; r < sheet.rows; r++) for (let c = 0; c < sheet.cols; c++) if (sheet.data[r][c].rowspan > 1 || sheet.data[r][c].colspan > 1) return [r, c];
    throw new Error('no merged cell');
  })();
  const owners = new Set<string>();
  const coveredBy = new Set<string>();
  sheet.data.forEach((row, r) =>
    row.forEach((x, c) => {
      if (coveredBy.has(`${r},${c}`)) return;
      owners.add(`${r},${c}`);
      for (let rr = r; rr < r + x.rowspan; rr++) for (let cc = c; cc < c + x.colspan; cc++) if (rr !== r || cc !== c) coveredBy.add(`${rr},${cc}`);
    }),
  );
  const plain = [...owners]
    .map((k) => k.split(',').map(Number))
    .find(([r, c]) => r > 0 && sheet.data[r][c].rowspan === 1 && sheet.data[r][c].colspan === 1 && sheet.data[r][c].text !== '')!;
  assert.ok(plain, 'a plain filled cell');
  const handleCellEdit = (r: number, c: number, v: string) => {
    tableData.sheets[si].data[r][c].text = v;
  };
  handleCellEdit(plain[0], plain[1], '前端 edited cell');
  handleCellEdit(merged[0], merged[1], '合并 merged, edited');
  const saved = await appFetch<{ task_id: string; status: string }>(`${API}/table/save/${taskId}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(tableData),
  });
  assert.equal(saved.data.status, 'editable');
  const generated = await appFetch<{ task_id: string; excel_path: string; status: string }>(`${API}/excel/generate/${taskId}`, { method: 'POST' });
  assert.deepEqual([generated.data.task_id, generated.data.status], [taskId, 'editable']);

  // downloadExcel: the blob, named from Content-Disposition by the app's own pattern.
  const res = await fetch(`${API}/excel/download/${taskId}`);
  assert.equal(res.status, 200);
  const m = /filename[^;=\n]*=((['"]).*?\2|[^;\n]*)/.exec(res.headers.get('Content-Disposition') ?? '');
  assert.equal(m?.[1].replace(/['"]/g, ''), 'report-scan.xlsx');
  const wb = await readXlsx(await res.arrayBuffer());
  const ws = wb.getWorksheet(sheet.sheet_name)!;
  assert.ok(ws, `sheet ${sheet.sheet_name}`);
  assert.deepEqual(mergesOfXlsx(ws), expectedMerges, 'every merge survives');
  assert.equal(ws.getCell(plain[0] + 1, plain[1] + 1).value, '前端 edited cell');
  assert.equal(ws.getCell(merged[0] + 1, merged[1] + 1).value, '合并 merged, edited');
  // Every other cell is as OCR read it (version 1 of the same task).
  const v1 = await readXlsx(await (await fetch(`${srv.url}/api/v1/tasks/${taskId}/excel?version=1`)).arrayBuffer());
  const ws1 = v1.getWorksheet(sheet.sheet_name)!;
  assert.deepEqual(mergesOfXlsx(ws1), expectedMerges);
  for (const k of owners) {
    const [r, c] = k.split(',').map(Number);
    if ((r === plain[0] && c === plain[1]) || (r === merged[0] && c === merged[1])) continue;
    assert.deepEqual(ws.getCell(r + 1, c + 1).value, ws1.getCell(r + 1, c + 1).value, `${colName(c)}${r + 1} unchanged`);
  }
  // The frontend's table read again shows what was saved; the task went through every state once.
  const again = (await appFetch<TableData>(`${API}/table/data/${taskId}`)).data;
  assert.deepEqual(again.sheets, tableData.sheets);
  const t = (await appFetch<Task & { transitions: { status: string }[] }>(`${API}/tasks/${taskId}`)).data;
  assert.deepEqual(
    t.transitions.map((x) => x.status),
    ['created', 'uploaded', 'ocr_processing', 'ocr_done', 'excel_generated', 'editable'],
  );
  assert.equal(t.excel_path, `/api/v1/excel/download/${taskId}`);
});

test('with no webhook and the long-poll held back, POST /ocr/poll is what finishes a task whose job ended', { timeout: 300_000 }, async () => {
  const gate = new PollGate();
  const lone = await startWb({ workbench: { fetch: gate.fetch, webhookUrl: null } });
  try {
    const api = new WbApi(lone.url);
    const up = await api.upload(dataset(SMALL_TABLE), 'small.png');
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const id = up.body.data.task_id;
    await until(
      'the job ends',
      async () =>
        ['finished', 'failed'].includes(((await (await fetch(`${lone.url}/v1/jobs/${up.body.data.ocr_job_id}`)).json()) as { status: string }).status),
      240_000,
    );
    assert.equal((await api.task(id)).status, 'ocr_processing', 'nobody told the task');
    const p = await api.call<{ task_id: string; status: string; message: string; table_count: number | null; ocr_json_path: string | null }>(
      `/api/v1/ocr/poll/${id}`,
      { method: 'POST' },
    );
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.deepEqual([p.body.data.status, p.body.data.message, p.body.data.ocr_json_path], ['ocr_done', 'OCR is done', `/api/v1/tasks/${id}/document`]);
    // The OCR JSON is there the moment the status says so.
    assert.equal((await api.call(`/api/v1/table/data/${id}`)).status, 200);
    assert.equal((await api.call(`/api/v1/tasks/${id}/document`)).status, 200);
    assert.deepEqual(
      (await api.task(id)).transitions.map((t) => t.status),
      ['created', 'uploaded', 'ocr_processing', 'ocr_done'],
    );
    // The held fallback, let go now, finds it done and changes nothing.
    gate.open(up.body.data.ocr_job_id!);
    await lone.service.services.workbench!.ocr.settled();
    assert.deepEqual(
      (await api.task(id)).transitions.map((t) => t.status),
      ['created', 'uploaded', 'ocr_processing', 'ocr_done'],
    );
  } finally {
    await lone.close();
  }
});
