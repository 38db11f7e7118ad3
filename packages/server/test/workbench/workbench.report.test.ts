/**
 * The workbench end to end on the real Chinese service report (real OCR, real SQLite, loopback
 * HTTP): uploaded as `报表.jpg`, followed over SSE until OCR is done; then every read route, an edit
 * round-trip (a changed cell and an added row saved as version 2, downloaded and read back with
 * exceljs, merges intact), optimistic locking, sheet validation, the download name, and delete.
 * One OCR'd task is shared by all assertions (OCR of this page is the expensive part).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { dataset, REPORT_SCAN } from '../helpers/fixtures.helper.ts';
import { startWb, WbApi, workbenchFiles, type Sheet, type TaskView, type WbServer } from './helpers/workbench.helper.ts';

let srv: WbServer;
let api: WbApi;
let task: TaskView;
const seen: string[] = [];

before(async () => {
  srv = await startWb({ env: { OCRFLOW_ANALYSIS: '1' } });
  api = new WbApi(srv.url);
});
after(() => srv?.close());

/** Read an SSE stream until a task event with one of `statuses`; every status seen goes to `seen`. */
async function followSse(id: string, statuses: string[], timeoutMs = 240_000): Promise<TaskView> {
  const res = await fetch(`${srv.url}/api/v1/tasks/${id}/events`, { headers: { accept: 'text/event-stream' }, signal: AbortSignal.timeout(timeoutMs) });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended; seen ${seen.join(',')}`);
      buf += new TextDecoder().decode(value);
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const msg = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const lines = msg.split('\n');
        const data = lines.find((l) => l.startsWith('data: '));
        if (!lines.includes('event: task') || !data) continue;
        const t = JSON.parse(data.slice(6)) as TaskView;
        if (seen[seen.length - 1] !== t.status) seen.push(t.status);
        if (statuses.includes(t.status)) return t;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

test("报表.jpg: uploaded and OCR'd; the status arrives by itself over SSE and rests at ocr_done; every transition once", async () => {
  const r = await api.upload(dataset(REPORT_SCAN), '报表.jpg');
  assert.equal(r.status, 201, JSON.stringify(r.body));
  task = await followSse(r.body.data.id, ['ocr_done', 'ocr_failed', 'excel_failed']);
  assert.equal(task.status, 'ocr_done', task.error_message ?? '');
  assert.equal(task.filename, '报表.jpg');
  assert.equal(task.mime, 'image/jpeg');
  assert.equal(task.page_count, 1);
  assert.ok((task.table_count ?? 0) >= 1);
  assert.equal(task.workbook_version, null, 'the workbook is made when first asked for');
  assert.equal(task.excel_path, null);
  assert.equal(task.ocr_json_path, `/api/v1/tasks/${task.id}/document`);
  assert.equal(task.error_message, null);
  // Both the webhook and the long-poll fallback reported the end; one of them moved the task.
  assert.deepEqual(
    task.transitions.map((t) => t.status),
    ['created', 'uploaded', 'ocr_processing', 'ocr_done'],
  );
  const times = task.transitions.map((t) => Date.parse(t.at));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
  );
  const order = ['ocr_processing', 'ocr_done'];
  assert.deepEqual(
    seen.filter((s) => order.includes(s)),
    order.filter((s) => seen.includes(s)),
    `SSE order ${seen.join(',')}`,
  );
  assert.equal(seen[seen.length - 1], 'ocr_done');
  // The OCR service delivered its signed webhook to us (whoever won, it was accepted).
  await srv.service.services.workbench!.ocr.settled();
  const d = (await (await fetch(`${srv.url}/v1/jobs/${task.ocr_job_id}/deliveries`)).json()) as {
    deliveries: { url: string; state: string; last_status: number }[];
  };
  assert.deepEqual(
    d.deliveries.map((x) => [x.url, x.state, x.last_status]),
    [[`${srv.url}/api/v1/ocr/webhook`, 'delivered', 200]],
  );
});

let original: { version: number; versions: { version: number; source: string }[]; sheets: Sheet[] };
let table: Sheet;

test("the tables: one sheet per table, the report's wide table with row and column merges", async () => {
  const r = await api.call<{ version: number; versions: { version: number; source: string }[]; sheets: Sheet[] }>(`/api/v1/tasks/${task.id}/tables`);
  assert.equal(r.status, 200);
  original = r.body.data;
  assert.equal(original.version, 1);
  assert.deepEqual(
    original.versions.map((v) => [v.version, v.source]),
    [[1, 'ocr']],
  );
  assert.equal(original.sheets.length, task.table_count);
  table = original.sheets.reduce((a, b) => (b.rows[0].length > a.rows[0].length ? b : a));
  assert.ok(table.rows[0].length >= 10, `widest table has ${table.rows[0].length} columns`);
  assert.ok(table.rows.length >= 10, `${table.rows.length} rows`);
  assert.ok(
    table.merges.some((m) => m.col_span > 1),
    'a column-spanning merge',
  );
  assert.ok(
    table.merges.some((m) => m.row_span > 1),
    'a row-spanning merge',
  );
  const text = table.rows
    .flat()
    .filter((v) => typeof v === 'string')
    .join('');
  assert.match(text, /[\u4e00-\u9fff]{2}/, 'Chinese text in the cells');
});

test('document, text, analysis and images of the task', async () => {
  const doc = await api.call<{ schema: string; pages: { width: number; height: number; blocks: { type: string }[] }[] }>(`/api/v1/tasks/${task.id}/document`);
  assert.equal(doc.status, 200);
  assert.equal(doc.body.data.schema, 'ocrflow.document/1');
  assert.ok(doc.body.data.pages[0].blocks.some((b) => b.type === 'table'));
  const text = await api.call<{ text: string; markdown: string }>(`/api/v1/tasks/${task.id}/text`);
  assert.match(text.body.data.text, /[\u4e00-\u9fff]{4}/);
  assert.match(text.body.data.markdown, /<table|\|/, 'tables in the Markdown (HTML when cells are merged)');
  const analysis = await api.call<{ schema: string; kind: string }>(`/api/v1/tasks/${task.id}/analysis`);
  assert.equal(analysis.status, 200, JSON.stringify(analysis.body).slice(0, 300));
  assert.equal(analysis.body.data.schema, 'ocrflow.analysis/1');
  const img = await fetch(`${srv.url}/api/v1/tasks/${task.id}/image`);
  assert.ok(Buffer.from(await img.arrayBuffer()).equals(dataset(REPORT_SCAN)));
  const page = await fetch(`${srv.url}/api/v1/tasks/${task.id}/image?page=0`);
  assert.equal(page.status, 200);
  const meta = await sharp(Buffer.from(await page.arrayBuffer())).metadata();
  assert.deepEqual([meta.width, meta.height], [doc.body.data.pages[0].width, doc.body.data.pages[0].height]);
  assert.equal((await api.call(`/api/v1/tasks/${task.id}/image?page=1`)).status, 404);
});

test('edit round-trip: a changed cell and an added row saved as version 2, downloaded as 报表.xlsx with the merges', async () => {
  const docBefore = await (await fetch(`${srv.url}/api/v1/tasks/${task.id}/document`)).text();
  const sheets = structuredClone(original.sheets);
  const edited = sheets.find((s) => s.name === table.name)!;
  const width = edited.rows[0].length;
  // Edit a cell that is not covered by a merge.
  const covered = (r: number, c: number) =>
    edited.merges.some((m) => r >= m.row && r < m.row + m.row_span && c >= m.col && c < m.col + m.col_span && !(r === m.row && c === m.col));
  const [er, ec] = (() => {
    for (let r = 1; r < edited.rows.length; r++) for (let c = 0; c < width; c++) if (!covered(r, c)) return [r, c];
    throw new Error('no free cell');
  })();
  edited.rows[er][ec] = '已修改 edited';
  const added = Array.from({ length: width }, (_, i) => (i === 0 ? '新增行 added row' : i === 1 ? 42.5 : null));
  edited.rows.push(added);

  const saved = await api.putTables(task.id, { sheets, base_version: 1 });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  assert.equal(saved.body.data.version, 2);
  // Someone saved in between: base_version 1 is no longer the latest.
  const conflict = await api.putTables(task.id, { sheets, base_version: 1 });
  assert.equal(conflict.status, 409);
  assert.equal(conflict.body.code, 'OCRFLOW_ERR_INVALID_STATE');
  assert.match(conflict.body.message, /[Vv]ersion 2 was saved/);
  // Malformed sheets: 422 saying where.
  const bad = structuredClone(sheets);
  bad[0].merges.push({ row: 0, col: 0, row_span: 1, col_span: 10_000 });
  const invalid = await api.putTables(task.id, { sheets: bad, base_version: 2 });
  assert.equal(invalid.status, 422);
  assert.equal(invalid.body.code, 'OCRFLOW_ERR_INVALID_SHEETS');
  assert.match(invalid.body.message, /merge \d+ .*outside the sheet/);
  const notCell = await api.putTables(task.id, { sheets: [{ name: 'X', rows: [[{ a: 1 }]], merges: [] }] });
  assert.equal(notCell.status, 422);
  assert.match(notCell.body.message, /row 1, column 1/);

  const v2 = await api.call<{ version: number; versions: { version: number; source: string }[]; sheets: Sheet[] }>(`/api/v1/tasks/${task.id}/tables`);
  assert.equal(v2.body.data.version, 2);
  assert.deepEqual(
    v2.body.data.versions.map((v) => [v.version, v.source]),
    [
      [1, 'ocr'],
      [2, 'edit'],
    ],
  );
  const v1 = await api.call<{ sheets: Sheet[] }>(`/api/v1/tasks/${task.id}/tables?version=1`);
  assert.deepEqual(v1.body.data.sheets, original.sheets, 'version 1 is kept as it was');
  // The first save stored version 1 (the OCR sheets) and the edit on top: ocr_done → excel_generated → editable.
  const saved1 = await api.task(task.id);
  assert.equal(saved1.status, 'editable');
  assert.deepEqual(
    saved1.transitions.map((t) => t.status),
    ['created', 'uploaded', 'ocr_processing', 'ocr_done', 'excel_generated', 'editable'],
  );
  assert.equal(saved1.excel_path, `/api/v1/excel/download/${task.id}`);
  assert.equal(await (await fetch(`${srv.url}/api/v1/tasks/${task.id}/document`)).text(), docBefore, 'the OCR JSON never changes');

  const res = await fetch(`${srv.url}/api/v1/tasks/${task.id}/excel`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="report.xlsx"; filename*=UTF-8''%E6%8A%A5%E8%A1%A8.xlsx`);
  assert.equal(res.headers.get('x-workbook-version'), '2');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await res.arrayBuffer()) as ArrayBuffer);
  const ws = wb.getWorksheet(edited.name)!;
  assert.ok(ws, `sheet ${edited.name}`);
  assert.equal(ws.getCell(er + 1, ec + 1).value, '已修改 edited');
  const last = edited.rows.length;
  assert.equal(ws.getCell(last, 1).value, '新增行 added row');
  assert.equal(ws.getCell(last, 2).value, 42.5);
  const merges = (ws.model as unknown as { merges: string[] }).merges.slice().sort();
  const col = (c: number) => {
    let s = '';
    for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    return s;
  };
  const expected = edited.merges.map((m) => `${col(m.col)}${m.row + 1}:${col(m.col + m.col_span - 1)}${m.row + m.row_span}`).sort();
  assert.deepEqual(merges, expected);

  const old = await fetch(`${srv.url}/api/v1/tasks/${task.id}/excel?version=1`);
  assert.equal(old.headers.get('x-workbook-version'), '1');
  const wb1 = new ExcelJS.Workbook();
  await wb1.xlsx.load((await old.arrayBuffer()) as ArrayBuffer);
  assert.notEqual(wb1.getWorksheet(edited.name)!.getCell(er + 1, ec + 1).value, '已修改 edited');
  assert.equal((await api.call(`/api/v1/tasks/${task.id}/excel?version=9`)).status, 404);
});

test('structure fixed by hand: a merge made, one split, text moved — saved as version 3 and written to the xlsx; overlapping or broken merges refused, nothing saved', async () => {
  const v2 = await api.call<{ version: number; sheets: Sheet[] }>(`/api/v1/tasks/${task.id}/tables`);
  assert.equal(v2.body.data.version, 2);
  const sheets = structuredClone(v2.body.data.sheets);
  const s = sheets.find((x) => x.name === table.name)!;
  const covering = (r: number, c: number) => s.merges.find((m) => r >= m.row && r < m.row + m.row_span && c >= m.col && c < m.col + m.col_span);
  const filled = (r: number, c: number) => s.rows[r]?.[c] !== null && s.rows[r]?.[c] !== undefined && !covering(r, c);
  // Merge two filled cells one above the other, as the workbench does: texts joined in the top-left slot.
  let at: [number, number] | null = null;
  for (let r = 1; r + 1 < s.rows.length && !at; r++) for (let c = 0; c < s.rows[r].length && !at; c++) if (filled(r, c) && filled(r + 1, c)) at = [r, c];
  assert.ok(at, 'two filled plain cells one above the other');
  const [r0, c0] = at;
  const joined = `${s.rows[r0][c0]}\n${s.rows[r0 + 1][c0]}`;
  s.rows[r0][c0] = joined;
  s.rows[r0 + 1][c0] = null;
  // Split a merge OCR made (its text stays in its top-left slot).
  const split = s.merges.find((m) => m.col_span > 1 && !(c0 >= m.col && c0 < m.col + m.col_span))!;
  assert.ok(split, 'a column-spanning merge to split');
  s.merges = s.merges.filter((m) => m !== split);
  s.merges.push({ row: r0, col: c0, row_span: 2, col_span: 1 });
  // Move a text into the slot the split freed.
  const from = (() => {
    for (let r = 1; r < s.rows.length; r++) for (let c = 0; c < s.rows[r].length; c++) if (filled(r, c) && !(c === c0 && r === r0)) return [r, c] as const;
    throw new Error('no text to move');
  })();
  const moved = s.rows[from[0]][from[1]];
  s.rows[split.row][split.col + 1] = moved;
  s.rows[from[0]][from[1]] = null;

  const saved = await api.putTables(task.id, { sheets, base_version: 2 });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  assert.equal(saved.body.data.version, 3);
  const v3 = await api.call<{ version: number; sheets: Sheet[] }>(`/api/v1/tasks/${task.id}/tables`);
  const back = v3.body.data.sheets.find((x) => x.name === table.name)!;
  const key = (m: { row: number; col: number; row_span: number; col_span: number }) => `${m.row},${m.col},${m.row_span},${m.col_span}`;
  assert.deepEqual(new Set(back.merges.map(key)), new Set(s.merges.map(key)), 'the merges as sent');
  assert.ok(!back.merges.some((m) => key(m) === key(split)), 'the split merge is gone');
  assert.equal(back.rows[r0][c0], joined);
  assert.equal(back.rows[split.row][split.col + 1], moved);
  assert.equal(back.rows[from[0]][from[1]], null);

  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await (await fetch(`${srv.url}/api/v1/tasks/${task.id}/excel`)).arrayBuffer()) as ArrayBuffer);
  const ws = wb.getWorksheet(table.name)!;
  const col = (c: number) => {
    let t = '';
    for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) t = String.fromCharCode(65 + ((n - 1) % 26)) + t;
    return t;
  };
  const range = (m: { row: number; col: number; row_span: number; col_span: number }) =>
    `${col(m.col)}${m.row + 1}:${col(m.col + m.col_span - 1)}${m.row + m.row_span}`;
  assert.deepEqual(new Set((ws.model as unknown as { merges: string[] }).merges), new Set(s.merges.map(range)));
  assert.equal(ws.getCell(r0 + 1, c0 + 1).text, joined, 'the joined text, its line break kept');
  assert.equal(ws.getCell(split.row + 1, split.col + 2).text, String(moved));

  // Refused with a message naming the merge, and nothing saved.
  const refuse = async (edit: (x: Sheet) => void, re: RegExp) => {
    const bad = structuredClone(v3.body.data.sheets);
    edit(bad.find((x) => x.name === table.name)!);
    const r = await api.putTables(task.id, { sheets: bad, base_version: 3 });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.code, 'OCRFLOW_ERR_INVALID_SHEETS');
    assert.match(r.body.message, re);
  };
  await refuse((x) => x.merges.push({ row: r0 + 1, col: c0, row_span: 1, col_span: 2 }), /merge \d+ overlaps merge \d+ at row \d+, column \d+/);
  await refuse((x) => x.merges.push({ row: x.rows.length - 1, col: 0, row_span: 2, col_span: 1 }), /outside the sheet/);
  await refuse((x) => x.merges.push({ row: 0, col: 0, row_span: 0, col_span: 2 }), /row_span and col_span must be integers ≥ 1/);
  const after = await api.call<{ version: number; versions: unknown[] }>(`/api/v1/tasks/${task.id}/tables`);
  assert.equal(after.body.data.version, 3);
  assert.equal(after.body.data.versions.length, 3);
  assert.equal((await api.task(task.id)).workbook_version, 3);
});

test('delete: the task, its versions and files are gone; the finished OCR job is left as it was', async () => {
  assert.ok(workbenchFiles(srv.dataDir).some((f) => f.startsWith(`${task.id}/xlsx/`)));
  const r = await api.call(`/api/v1/tasks/${task.id}`, { method: 'DELETE' });
  assert.equal(r.status, 200);
  assert.deepEqual(
    workbenchFiles(srv.dataDir).filter((f) => f.startsWith(task.id)),
    [],
  );
  assert.ok(!fs.existsSync(path.join(srv.dataDir, 'files', 'workbench', task.id)));
  for (const p of ['', '/tables', '/excel', '/image', '/document']) assert.equal((await api.call(`/api/v1/tasks/${task.id}${p}`)).status, 404, p);
  const job = (await (await fetch(`${srv.url}/v1/jobs/${task.ocr_job_id}`)).json()) as { status: string };
  assert.equal(job.status, 'finished');
});
