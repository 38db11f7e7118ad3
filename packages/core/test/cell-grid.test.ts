import { test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import {
  documentToSheets,
  gridToSheets,
  sheetsToGrid,
  sheetsToXlsx,
  OcrflowError,
  type GridSheet,
  type OcrDocument,
  type Sheet,
  type Table,
} from '@ocrflow/core';

function cell(row: number, col: number, text: string, row_span = 1, col_span = 1) {
  return { row, col, row_span, col_span, bbox: null, text, lines: [] };
}

/** A header cell over two rows, a title over two columns, and a 2×2 block lower down. */
const table: Table = {
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

const doc: OcrDocument = {
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
      blocks: [{ id: 'p0-b0', type: 'table', bbox: [0, 0, 1, 1], table }],
    },
  ],
};

const sheets = (): Sheet[] => documentToSheets(doc);

test('a sheet as its full grid: merged cells once at their top-left with spans, covered positions empty span-1 cells', () => {
  const [g] = sheetsToGrid(sheets());
  assert.deepEqual([g.sheet_id, g.sheet_name, g.rows, g.cols], [1, 'Table_1', 5, 4]);
  assert.equal(g.data.length, 5);
  assert.ok(
    g.data.every((r) => r.length === 4),
    'every row is full width',
  );
  assert.deepEqual(g.data[0][0], { text: '项目', rowspan: 2, colspan: 1, is_header: true });
  assert.deepEqual(g.data[0][1], { text: '2025 Q1', rowspan: 1, colspan: 2, is_header: true });
  assert.deepEqual(g.data[0][2], { text: '', rowspan: 1, colspan: 1, is_header: true }, 'covered by the title');
  assert.deepEqual(g.data[1][0], { text: '', rowspan: 1, colspan: 1, is_header: false }, 'covered by the row header');
  assert.deepEqual(g.data[3][1], { text: 'merged 2x2', rowspan: 2, colspan: 2, is_header: false });
  for (const [r, c] of [
    [3, 2],
    [4, 1],
    [4, 2],
  ])
    assert.deepEqual(g.data[r][c], { text: '', rowspan: 1, colspan: 1, is_header: false }, `covered ${r},${c}`);
  assert.deepEqual(
    g.data[2].map((x) => x.text),
    ['A', '10', '12', 'ok'],
  );
  // Cells with spans are exactly the merges.
  const spans = g.data.flatMap((row, r) =>
    row.flatMap((x, c) => (x.rowspan > 1 || x.colspan > 1 ? [{ row: r, col: c, row_span: x.rowspan, col_span: x.colspan }] : [])),
  );
  assert.deepEqual(spans, sheets()[0].merges);
});

test('a grid sent back unchanged rebuilds the same sheets: merges, not empty cells over them', async () => {
  const original = sheets();
  const back = gridToSheets(JSON.parse(JSON.stringify(sheetsToGrid(original))));
  assert.deepEqual(back, original);
  // And the workbook written from it has the merges and nothing written into covered slots.
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await sheetsToXlsx(back)) as unknown as ArrayBuffer);
  const ws = wb.getWorksheet('Table_1')!;
  assert.deepEqual([...(ws.model as unknown as { merges: string[] }).merges].sort(), ['A1:A2', 'B1:C1', 'B4:C5']);
  assert.equal(ws.getCell('B4').value, 'merged 2x2');
});

test("edits come back: a plain cell, a merged cell's own text, a number; numbers and text in the grid are strings", () => {
  const grid = sheetsToGrid([
    {
      name: 'S',
      rows: [
        ['a', 42.5, null],
        ['b', 'c', 'd'],
      ],
      merges: [{ row: 0, col: 1, row_span: 1, col_span: 2 }],
    },
  ]);
  assert.deepEqual(
    grid[0].data[0].map((x) => x.text),
    ['a', '42.5', ''],
  );
  grid[0].data[1][2].text = '改过 edited';
  grid[0].data[0][1].text = 'title';
  grid[0].data[1][0].text = '';
  const [s] = gridToSheets(grid);
  assert.deepEqual(s.rows, [
    ['a', 'title', null],
    [null, 'c', '改过 edited'],
  ]);
  assert.deepEqual(s.merges, [{ row: 0, col: 1, row_span: 1, col_span: 2 }]);
  // rows/cols/is_header/sheet_id may be left out; spans default to 1.
  assert.deepEqual(gridToSheets([{ sheet_name: 'T', data: [[{ text: 'x' }, { text: 7 }]] }]), [{ name: 'T', rows: [['x', 7]], merges: [] }]);
});

test('malformed grids are refused with the sheet, row and column that is wrong', () => {
  const base = (): GridSheet[] => JSON.parse(JSON.stringify(sheetsToGrid(sheets()))) as GridSheet[];
  const bad = (mutate: (g: GridSheet[]) => unknown, re: RegExp) => {
    const g = base();
    const input = mutate(g) ?? g;
    assert.throws(
      () => gridToSheets(input),
      (e: unknown) => e instanceof OcrflowError && e.code === 'OCRFLOW_ERR_INVALID_SHEETS' && re.test(e.message),
      String(re),
    );
  };
  bad(() => ({ sheets: [] }), /sheets must be an array/);
  bad(() => [], /At least one sheet/);
  bad(() => ['x'], /Sheet 1 is not an object/);
  bad((g) => void delete (g[0] as Partial<GridSheet>).sheet_name, /Sheet 1: sheet_name must be text/);
  bad((g) => void ((g[0] as { data: unknown }).data = 'x'), /data must be an array of rows/);
  bad((g) => void g[0].data[2].pop(), /row 3: 3 cells where row 1 has 4; data must be the full grid/);
  bad((g) => void (g[0].rows = 9), /rows is 9 but data has 5 rows/);
  bad((g) => void (g[0].cols = 3), /cols is 3 but the rows of data have 4 cells/);
  bad((g) => void ((g[0].data[2] as unknown[])[1] = 'x'), /row 3, column 2: expected a cell/);
  bad((g) => void ((g[0].data[2][1] as { text: unknown }).text = { a: 1 }), /row 3, column 2: text must be a string/);
  bad((g) => void (g[0].data[2][1].rowspan = 0), /row 3, column 2: rowspan and colspan must be whole numbers ≥ 1/);
  bad((g) => void (g[0].data[2][1].colspan = 1.5), /whole numbers/);
  bad((g) => void ((g[0].data[2][1] as { is_header: unknown }).is_header = 'yes'), /is_header must be true or false/);
  // Text typed into a covered position would vanish under the merge: refused, not dropped.
  bad(
    (g) => void (g[0].data[1][0].text = 'lost?'),
    /row 2, column 1 is covered by the merged cell at row 1, column 1 \(rowspan 2, colspan 1\) but holds "lost\?"/,
  );
  bad((g) => void (g[0].data[4][2].text = 'z'), /row 5, column 3 is covered by the merged cell at row 4, column 2/);
  // Spans that reach outside, overlap, or start inside another merge.
  bad((g) => void (g[0].data[4][3].rowspan = 2), /row 5, column 4: the merged cell \(rowspan 2, colspan 1\) reaches outside the grid \(5 rows × 4 columns\)/);
  bad((g) => void (g[0].data[2][0].rowspan = 3), /row 4, column 1 is covered by the merged cell at row 3, column 1 \(rowspan 3, colspan 1\) but holds "B"/);
  bad(
    (g) => void (g[0].data[2][1].rowspan = 2),
    /row 4, column 2: a merged cell \(rowspan 2, colspan 2\) starts inside the merged cell at row 3, column 2 \(rowspan 2, colspan 1\)/,
  );
  bad((g) => void (g[0].data[2][3].rowspan = 2), /row 4, column 4 is covered by the merged cell at row 3, column 4 \(rowspan 2, colspan 1\) but holds "x"/);
  bad(
    (g) => void (g[0].data[2][2].rowspan = 2),
    /row 4, column 2: the merged cell \(rowspan 2, colspan 2\) overlaps the merged cell at row 3, column 3 at row 4, column 3/,
  );
  bad((g) => void (g[0].data[0][2].colspan = 2), /row 1, column 3: a merged cell \(rowspan 1, colspan 2\) starts inside the merged cell at row 1, column 2/);
  // The sheet rules of validateSheets still apply (names, limits).
  bad((g) => void (g[0].sheet_name = 'a/b'), /characters/);
  bad((g) => void g.push({ ...g[0] }), /used twice/);
});
