/**
 * Tables through the whole pipeline with the real paddle engine: the scanned Chinese report and a
 * phone-photo version of it, a PubTabNet table, a drawn table, and a page without a table. The
 * report's XLSX must hold every merged cell of the PP-StructureV3 reference as a merge.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import ExcelJS from 'exceljs';
import { documentToXlsx, isTableBlock, loadConfig, tableToHtml, type Line, type OcrDocument, type Table, type TableCell } from '@ocrflow/core';
import { tedsOfDocument } from '@ocrflow/eval';
import { runDocument, disposeEngines, engineOptionsFromConfig, getEngine, parseHtmlTableRows } from '../../src/index.ts';
import { detectTables } from '../../src/tables/tables.detect.ts';
import { gridSvg, svgToPng, svgToRaster, phonePhoto } from './render.helper.ts';

const datasets = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/datasets');
const reportPath = path.join(datasets, 'cn-report-dev/report-scan.jpg');
after(() => disposeEngines());

const options = engineOptionsFromConfig(loadConfig());
const ocr = (data: Buffer, filename: string) => runDocument(data, { options, engine: 'paddle', mode: 'layout', autoRotate: false, filename });
const tables = (doc: OcrDocument): Table[] => doc.pages.flatMap((p) => p.blocks.filter(isTableBlock).map((b) => b.table));
const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');

/** Longest common substring length (ref texts are short). */
function lcs(a: string, b: string): number {
  let best = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < b.length; j++) {
      let k = 0;
      while (i + k < a.length && j + k < b.length && a[i + k] === b[j + k]) k++;
      if (k > best) best = k;
    }
  return best;
}
/** Our cell that best holds a reference cell's text. */
function findCell(t: Table, text: string): TableCell | undefined {
  const want = norm(text);
  let best: TableCell | undefined,
    score = 0;
  for (const c of t.cells) {
    const s = lcs(want, norm(c.text)) / want.length;
    if (s > score) {
      score = s;
      best = c;
    }
  }
  return score >= 0.6 ? best : undefined;
}
/**
 * Handwritten reference cells: the signature "李琳琳" is handwriting, which the printed-text model
 * reads as some other name (李球淋, 李琳淋 …). Its cell is found by the printed label that shares it
 * in our grid (the reference puts the name in its own cell; we keep it with "甲方：… 签字：").
 */
const HANDWRITTEN_LABEL: Record<string, string> = { 李琳琳: '甲方' };
function byPrintedLabel(t: Table, text: string): TableCell | undefined {
  const label = HANDWRITTEN_LABEL[norm(text)];
  return label ? t.cells.find((c) => norm(c.text).startsWith(label) && norm(c.text).includes('签字')) : undefined;
}
const colName = (c: number): string => (c >= 26 ? colName(Math.floor(c / 26) - 1) : '') + String.fromCharCode(65 + (c % 26));

function rowOf(t: Table, text: string): TableCell[] {
  const c = t.cells.find((x) => norm(x.text) === text);
  assert.ok(c, `no cell "${text}"`);
  return t.cells.filter((x) => x.row === c.row).sort((a, b) => a.col - b.col);
}

/** `minCols`: the scan has a column at every printed rule position (25); a photo that is not straightened first may share some. */
function assertReportStructure(t: Table, minCols = 23): void {
  assert.ok(t.ruled);
  assert.ok(t.n_rows >= 30 && t.n_rows <= 34, `rows ${t.n_rows}`);
  // A column boundary at every distinct printed rule position: 25 on the hand-made grid.
  assert.ok(t.n_cols >= minCols && t.n_cols <= 25, `cols ${t.n_cols}`);
  assert.equal(findCell(t, '区域分布')?.row_span, 4);
  assert.equal(findCell(t, '指标名称')?.row_span, 2);
  assert.deepEqual(
    rowOf(t, '工单总量').map((c) => norm(c.text)),
    ['工单总量', '1457', '1510', '1391'],
  );
  assert.deepEqual(
    rowOf(t, '模式类型')
      .slice(0, 9)
      .map((c) => norm(c.text)),
    ['模式类型', '数量', '区域分布', '保定', '北京', '江苏', '上海', '成都', '大连'],
  );
  assert.deepEqual(
    rowOf(t, '满意度')
      .map((c) => norm(c.text))
      .slice(0, 4),
    ['满意度', '≥98.00%', '99.95%', '达标'],
  );
}

test('cn-report: one ruled table with the report structure; every reference merge is a merge in the XLSX', async () => {
  const doc = await ocr(readFileSync(reportPath), 'report-scan.jpg');
  const ts = tables(doc);
  assert.equal(ts.length, 1);
  const t = ts[0];
  assertReportStructure(t);
  // the lines of the table left the text blocks
  const textBlocks = doc.pages[0].blocks.filter((b) => b.type !== 'table');
  assert.ok(!textBlocks.some((b) => 'text' in b && b.text.includes('1457')));

  // Against the hand-made printed grid: the structure is every ruled box, the text what OCR read.
  const gt = readFileSync(path.join(datasets, 'cn-report-dev/report-scan.gt.html'), 'utf8');
  assert.equal(t.n_cols, 25);
  const g = tedsOfDocument([tableToHtml(t)], gt);
  assert.ok(g && g.teds_s >= 0.97 && g.teds >= 0.95, `TEDS ${g?.teds} TEDS-S ${g?.teds_s}`);
  // The three ruled rows of the contract table are three cells, not one ("模式一模式二人员外包"),
  // and a ruled section heading is its own row, not fused with the row below it.
  const modes = ['模式二', '人员外包'].map((m) => t.cells.find((c) => norm(c.text) === m));
  assert.ok(modes.every(Boolean), 'mode cells');
  assert.deepEqual(
    modes.map((c) => c!.row - modes[0]!.row),
    [0, 1],
  );
  const heading = t.cells.find((c) => norm(c.text).startsWith('3、运营业务量情况'));
  assert.ok(heading && heading.col_span === t.n_cols, 'section heading across the table');
  assert.equal(t.cells.find((c) => norm(c.text) === '业务类型')?.row, heading.row + heading.row_span);
  const ref = readFileSync(path.join(datasets, 'cn-report-dev/report-scan.ref.html'), 'utf8');

  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await documentToXlsx(doc)) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  const merges = new Map(
    (ws.model.merges ?? []).map((m) => {
      const [a, b] = m.split(':');
      const rc = (x: string) => {
        const mm = /^([A-Z]+)(\d+)$/.exec(x)!;
        return [Number(mm[2]) - 1, [...mm[1]].reduce((s, ch) => s * 26 + ch.charCodeAt(0) - 64, 0) - 1];
      };
      const [r0, c0] = rc(a),
        [r1, c1] = rc(b);
      return [`${colName(c0)}${r0 + 1}`, { rows: r1 - r0 + 1, cols: c1 - c0 + 1 }] as const;
    }),
  );
  const [refTable] = parseHtmlTableRows(ref);
  // a text that occurs several times ("指标结果", "713") is matched by occurrence, in reading order
  const ordered = [...t.cells].sort((a, b) => a.row - b.row || a.col - b.col);
  const seen = new Map<string, number>();
  let checked = 0;
  for (const row of refTable.rows)
    for (const rc of row) {
      const key = norm(rc.text);
      const k = seen.get(key) ?? 0;
      seen.set(key, k + 1);
      if (rc.colspan === 1 && rc.rowspan === 1) continue;
      if (!rc.text) continue; // the signature image
      const same = ordered.filter((c) => norm(c.text) === key);
      const ours = same.length > k ? same[k] : (findCell(t, rc.text) ?? byPrintedLabel(t, rc.text));
      assert.ok(ours, `reference merged cell "${rc.text}" not found`);
      const m = merges.get(`${colName(ours.col)}${ours.row + 1}`);
      assert.ok(m, `reference merged cell "${rc.text}" is not merged in the XLSX`);
      if (rc.rowspan > 1) assert.ok(m.rows > 1, `"${rc.text}" spans rows in the reference`);
      if (rc.colspan > 1) assert.ok(m.cols > 1, `"${rc.text}" spans columns in the reference`);
      checked++;
    }
  assert.ok(checked >= 50, `checked ${checked}`);
});

test('a phone photo of the report (keystone, rotated 2.5°, uneven light) still yields the grid', async () => {
  const photo = await phonePhoto(reportPath, 2.5);
  const png = await sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: 3 } })
    .jpeg({ quality: 88 })
    .toBuffer();
  const ts = tables(await ocr(png, 'photo.jpg'));
  assert.equal(ts.length, 1);
  // Keystone changes the spacing of the rules from section to section: close, distinct rule
  // positions of different sections can then share a column (straightening the page first undoes it).
  assertReportStructure(ts[0], 12);
});

test('PubTabNet: a table without vertical rules, with a grouped header', async () => {
  const base = path.join(datasets, 'pubtabnet-dev/pubtabnet-PMC5402779_004_00');
  const ts = tables(await ocr(readFileSync(base + '.png'), 'p.png'));
  assert.equal(ts.length, 1);
  const t = ts[0];
  assert.equal(t.ruled, false);
  assert.deepEqual([t.n_rows, t.n_cols], [9, 5]);
  assert.equal(findCell(t, 'Male')?.col_span, 2);
  assert.equal(findCell(t, 'Female')?.col_span, 2);
  assert.equal(findCell(t, 'Variable')?.row_span, 2);
  assert.deepEqual(
    rowOf(t, 'Specificity').map((c) => c.text),
    ['Specificity', '93.92', '92.68 to 95.00', '92.42', '91.18 to 93.54'],
  );
  const r = tedsOfDocument([tableToHtml(t)], readFileSync(base + '.gt.html', 'utf8'));
  assert.ok(r && r.teds_s >= 0.9, `TEDS-S ${r?.teds_s}`);
});

test('a drawn bordered table read by OCR: cells, spans and texts; the title above stays text', async () => {
  const svg = gridSvg({
    colWidths: [200, 150, 150, 160],
    rowHeights: [50, 50, 50, 50],
    x0: 40,
    y0: 90,
    fontSize: 22,
    cells: [
      { row: 0, col: 0, row_span: 2, text: 'Region' },
      { row: 0, col: 1, col_span: 2, text: 'Quarter 1' },
      { row: 0, col: 3, row_span: 2, text: 'Total' },
      { row: 1, col: 1, text: 'January' },
      { row: 1, col: 2, text: 'February' },
      { row: 2, col: 0, text: 'North' },
      { row: 2, col: 1, text: '1,234' },
      { row: 2, col: 2, text: '567' },
      { row: 2, col: 3, text: '1,801' },
      { row: 3, col: 0, text: 'South' },
      { row: 3, col: 1, text: '89' },
      { row: 3, col: 2, text: '(12.00)' },
      { row: 3, col: 3, text: '77' },
    ],
    extra: '<text x="40" y="60" font-size="26" font-family="DejaVu Sans">Quarterly sales report</text>',
  });
  const doc = await ocr(await svgToPng(svg), 'drawn.png');
  const [t] = tables(doc);
  assert.ok(t);
  assert.deepEqual([t.n_rows, t.n_cols, t.cells.length], [4, 4, 13]);
  assert.deepEqual([findCell(t, 'Region')?.row_span, findCell(t, 'Quarter 1')?.col_span, findCell(t, 'Total')?.row_span], [2, 2, 2]);
  assert.deepEqual(
    rowOf(t, 'North').map((c) => c.text),
    ['North', '1,234', '567', '1,801'],
  );
  const texts = doc.pages[0].blocks.filter((b) => b.type !== 'table').map((b) => ('text' in b ? b.text : ''));
  assert.ok(
    texts.some((s) => /Quarterly sales report/.test(s)),
    texts.join('|'),
  );
  // and in the workbook the numbers are numbers
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await documentToXlsx(doc)) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  assert.equal(ws.getCell('B3').value, 1234);
  assert.equal(ws.getCell('C4').value, -12);
  assert.deepEqual([...(ws.model.merges ?? [])].sort(), ['A1:A2', 'B1:C1', 'D1:D2']);
});

test('ruled cells with ink but no text from the page reading are read again, enlarged', async () => {
  // The page's reading "missed" the digits (lines given only for the labels): the second reading of
  // the inked boxes must find them, each in its own box, and leave the blank box blank.
  const svg = gridSvg({
    colWidths: [180, 90, 90, 90],
    rowHeights: [40, 40, 40],
    x0: 30,
    y0: 30,
    fontSize: 16,
    cells: [
      { row: 0, col: 0, text: 'Name' },
      { row: 0, col: 1, text: 'Mon' },
      { row: 0, col: 2, text: 'Tue' },
      { row: 0, col: 3, text: 'Wed' },
      { row: 1, col: 0, text: 'Chen' },
      { row: 1, col: 1, text: '8' },
      { row: 1, col: 2, text: '7.5' },
      { row: 1, col: 3, text: '' },
      { row: 2, col: 0, text: 'Lin' },
      { row: 2, col: 1, text: '6' },
      { row: 2, col: 2, text: '' },
      { row: 2, col: 3, text: '9' },
    ],
  });
  const image = await svgToRaster(svg);
  const L = (text: string, x: number, y: number): Line => ({
    text,
    bbox: [x - 20, y - 9, x + 20, y + 9],
    polygon: [
      [x - 20, y - 9],
      [x + 20, y - 9],
      [x + 20, y + 9],
      [x - 20, y + 9],
    ],
    confidence: 0.99,
    words: [],
  });
  const lines = [L('Name', 120, 50), L('Mon', 255, 50), L('Tue', 345, 50), L('Wed', 435, 50), L('Chen', 120, 90), L('Lin', 120, 130)];
  const engine = await getEngine('paddle', options);
  const read = async (img: typeof image) => (await engine.recognize(img, { languages: ['en'], mode: 'layout', autoRotate: false })).lines;
  const [t] = (await detectTables(image, lines, { read, unruled: false })).map((f) => f.table);
  assert.ok(t);
  const text = (r: number, c: number) => t.cells.find((x) => x.row === r && x.col === c)?.text;
  assert.deepEqual([text(1, 1), text(1, 2), text(1, 3), text(2, 1), text(2, 2), text(2, 3)], ['8', '7.5', '', '6', '', '9']);
  // the read lines are in page coordinates, inside their cells
  const eight = t.cells.find((x) => x.text === '8')!;
  assert.ok(eight.lines[0].bbox[0] >= 210 && eight.lines[0].bbox[2] <= 300, JSON.stringify(eight.lines[0].bbox));
});

test('a page of prose yields no table and no error', async () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="260"><rect width="900" height="260" fill="white"/>
    <text x="40" y="60" font-size="24" font-family="DejaVu Sans">The quick brown fox jumps over the lazy dog.</text>
    <text x="40" y="100" font-size="24" font-family="DejaVu Sans">A second sentence follows the first one here.</text>
    <text x="40" y="140" font-size="24" font-family="DejaVu Sans">And a third line closes this short paragraph.</text></svg>`;
  const doc = await ocr(await svgToPng(svg), 'prose.png');
  assert.equal(tables(doc).length, 0);
  assert.ok(doc.pages[0].blocks.length > 0);
});
