/**
 * Table structure without OCR: drawn tables (sharp from SVG) with text lines given as the
 * recogniser would report them, unit checks of the grid helpers, and pathological rule patterns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BBox, Line, Table, TableCell } from '@ocrflow/core';
import { tableToHtml } from '@ocrflow/core';
import { detectTables } from '../../src/tables/tables.detect.ts';
import { compactLines, compactGrid } from '../../src/tables/grid.compact.ts';
import { rectangularCells } from '../../src/tables/grid.build.ts';
import { assignText, cellText } from '../../src/tables/cells.assign.ts';
import { inferUnruledTables } from '../../src/tables/unruled.infer.ts';
import { gridSvg, svgToRaster, type GridSpec } from './render.helper.ts';

function line(text: string, bbox: BBox, words?: { text: string; bbox: BBox }[]): Line {
  const [x0, y0, x1, y1] = bbox;
  return {
    text,
    bbox,
    polygon: [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
    ],
    confidence: 0.99,
    words: (words ?? []).map((w) => ({ ...w, confidence: 0.99 })),
  };
}

const at = (t: Table, row: number, col: number): TableCell | undefined => t.cells.find((c) => c.row === row && c.col === col);

// 4 columns × 4 rows: "Name" and "Total" span two header rows, "Q1" spans two columns.
const spec: GridSpec = {
  colWidths: [160, 120, 120, 140],
  rowHeights: [44, 44, 44, 44],
  cells: [
    { row: 0, col: 0, row_span: 2, text: 'Name' },
    { row: 0, col: 1, col_span: 2, text: 'Q1' },
    { row: 0, col: 3, row_span: 2, text: 'Total' },
    { row: 1, col: 1, text: 'Jan' },
    { row: 1, col: 2, text: 'Feb' },
    { row: 2, col: 0, text: 'Alpha' },
    { row: 2, col: 1, text: '12' },
    { row: 2, col: 2, text: '34' },
    { row: 2, col: 3, text: '46' },
    { row: 3, col: 0, text: 'Beta' },
    { row: 3, col: 1, text: '5' },
    { row: 3, col: 2, text: '6' },
    { row: 3, col: 3, text: '11' },
  ],
};
// Text lines where a recogniser would put them (table at x 40..580, y 40..216); "12 34" is read as
// one line across two cells, with word boxes; "Jan Feb" as one line without word boxes.
const specLines = (): Line[] => [
  line('Name', [95, 74, 145, 94]),
  line('Q1', [310, 52, 330, 72]),
  line('Total', [485, 74, 535, 94]),
  line('Jan Feb', [245, 96, 395, 116]),
  line('Alpha', [95, 140, 145, 160]),
  line(
    '12 34',
    [250, 140, 390, 160],
    [
      { text: '12', bbox: [250, 140, 272, 160] },
      { text: '34', bbox: [368, 140, 390, 160] },
    ],
  ),
  line('46', [500, 140, 522, 160]),
  line('Beta', [100, 184, 140, 204]),
  line('5', [255, 184, 265, 204]),
  line('6', [375, 184, 385, 204]),
  line('11', [500, 184, 520, 204]),
];

test('a drawn ruled table: grid, merged cells from missing separators, text split at cell borders', async () => {
  const img = await svgToRaster(gridSvg(spec));
  const lines = specLines();
  const found = await detectTables(img, lines);
  assert.equal(found.length, 1);
  const t = found[0].table;
  assert.equal(t.ruled, true);
  assert.deepEqual([t.n_rows, t.n_cols, t.cells.length], [4, 4, 13]);
  assert.deepEqual([at(t, 0, 0)?.row_span, at(t, 0, 0)?.col_span, at(t, 0, 0)?.text], [2, 1, 'Name']);
  assert.deepEqual([at(t, 0, 1)?.row_span, at(t, 0, 1)?.col_span, at(t, 0, 1)?.text], [1, 2, 'Q1']);
  assert.deepEqual([at(t, 0, 3)?.row_span, at(t, 0, 3)?.text], [2, 'Total']);
  // split by word boxes and, for the line without words, by the ink on each side of the border
  assert.deepEqual([at(t, 1, 1)?.text, at(t, 1, 2)?.text], ['Jan', 'Feb']);
  assert.deepEqual([at(t, 2, 1)?.text, at(t, 2, 2)?.text, at(t, 3, 3)?.text], ['12', '34', '11']);
  assert.equal(
    tableToHtml(t),
    '<table><tr><td rowspan="2">Name</td><td colspan="2">Q1</td><td rowspan="2">Total</td></tr><tr><td>Jan</td><td>Feb</td></tr>' +
      '<tr><td>Alpha</td><td>12</td><td>34</td><td>46</td></tr><tr><td>Beta</td><td>5</td><td>6</td><td>11</td></tr></table>',
  );
  // all lines inside are consumed
  assert.equal(found[0].lines.length, lines.length);
  const [x0, y0, x1, y1] = found[0].bbox;
  assert.ok(Math.abs(x0 - 40) <= 3 && Math.abs(y0 - 40) <= 3 && Math.abs(x1 - 580) <= 3 && Math.abs(y1 - 216) <= 3, `bbox ${found[0].bbox}`);
});

test('two tables on a page are two blocks; text between them stays outside', async () => {
  const second: GridSpec = {
    colWidths: [100, 100],
    rowHeights: [40, 40],
    x0: 40,
    y0: 320,
    cells: [
      { row: 0, col: 0, text: 'k' },
      { row: 0, col: 1, text: 'v' },
      { row: 1, col: 0, text: 'a' },
      { row: 1, col: 1, text: 'b' },
    ],
  };
  const svg = gridSvg({
    ...spec,
    height: 460,
    extra: gridSvg(second)
      .replace(/^<svg[^>]*>|<\/svg>$/g, '')
      .replace(/<rect width="\d+" height="\d+" fill="white"\/>/, ''),
  });
  const img = await svgToRaster(svg);
  const between = line('Some paragraph text between the tables', [40, 250, 420, 272]);
  const caption = line('Table 2. Key values', [40, 292, 220, 312]);
  // (A grid without any text in its boxes is not reported as a table: the second one has its words.)
  const secondLines = [line('k', [85, 330, 95, 350]), line('v', [185, 330, 195, 350]), line('a', [85, 370, 95, 390]), line('b', [185, 370, 195, 390])];
  const found = await detectTables(img, [...specLines(), between, caption, ...secondLines]);
  assert.equal(found.length, 2);
  assert.deepEqual(
    found.map((f) => [f.table.n_rows, f.table.n_cols]),
    [
      [4, 4],
      [2, 2],
    ],
  );
  assert.ok(!found.some((f) => f.lines.includes(between)));
  // the caption line names the second table and leaves the page text
  assert.deepEqual([found[0].table.caption, found[1].table.caption], [undefined, 'Table 2. Key values']);
  assert.ok(found[1].lines.includes(caption));
});

test('a dark filled header row keeps its row: the fill counts by its outline', async () => {
  const svg = gridSvg({
    colWidths: [160, 120, 120],
    rowHeights: [44, 44, 44],
    cells: [
      { row: 0, col: 0, text: '' },
      { row: 0, col: 1, col_span: 2, text: '' },
      { row: 1, col: 0, text: 'a' },
      { row: 1, col: 1, text: '1' },
      { row: 1, col: 2, text: '2' },
      { row: 2, col: 0, text: 'b' },
      { row: 2, col: 1, text: '3' },
      { row: 2, col: 2, text: '4' },
    ],
    extra:
      '<rect x="40" y="40" width="400" height="44" fill="#1f3f7f"/><text x="60" y="70" font-size="18" fill="white" font-family="DejaVu Sans">Name</text>' +
      '<text x="300" y="70" font-size="18" fill="white" font-family="DejaVu Sans">Q1</text><line x1="200" y1="40" x2="200" y2="84" stroke="white" stroke-width="2"/>',
  });
  const lines = [line('Name', [60, 55, 110, 75]), line('Q1', [300, 55, 322, 75]), line('a', [115, 140, 125, 160]), line('1', [255, 140, 265, 160])];
  const found = await detectTables(await svgToRaster(svg), lines);
  assert.equal(found.length, 1);
  const t = found[0].table;
  assert.deepEqual([t.n_rows, t.n_cols], [3, 3]);
  assert.deepEqual([at(t, 0, 0)?.text, at(t, 0, 1)?.text, at(t, 0, 1)?.col_span], ['Name', 'Q1', 2]);
});

test('a page without a table yields no table and no error', async () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300"><rect width="600" height="300" fill="white"/>
    <text x="40" y="60" font-size="18" font-family="DejaVu Sans">A plain paragraph of text, with no table at all.</text>
    <text x="40" y="90" font-size="18" font-family="DejaVu Sans">Second line of the paragraph, and an underline:</text>
    <line x1="40" y1="120" x2="400" y2="120" stroke="black" stroke-width="2"/></svg>`;
  const img = await svgToRaster(svg);
  const lines = [
    line('A plain paragraph of text, with no table at all.', [40, 44, 470, 66]),
    line('Second line of the paragraph, and an underline:', [40, 74, 460, 96]),
  ];
  assert.deepEqual(await detectTables(img, lines), []);
  assert.deepEqual(await detectTables(img, []), []);
});

test('degenerate rule patterns are rejected as tables, and quickly', async () => {
  // one long rule with 2 000 tick marks (a ruler): a single horizontal line is no grid
  let ticks = '';
  for (let i = 0; i < 2000; i++) ticks += `<line x1="${20 + i * 2}" y1="40" x2="${20 + i * 2}" y2="60" stroke="black" stroke-width="1"/>`;
  const ruler = await svgToRaster(
    `<svg xmlns="http://www.w3.org/2000/svg" width="4040" height="100"><rect width="4040" height="100" fill="white"/><line x1="20" y1="60" x2="4020" y2="60" stroke="black" stroke-width="2"/>${ticks}</svg>`,
  );
  const c0 = process.cpuUsage();
  assert.deepEqual(await detectTables(ruler, []), []);
  // a fine mesh (a hatched area: 4 px cells, ~40 000 slots) is not a table either
  let mesh = '';
  for (let i = 0; i <= 200; i++)
    mesh += `<line x1="${20 + i * 4}" y1="20" x2="${20 + i * 4}" y2="820" stroke="black" stroke-width="1"/><line x1="20" y1="${20 + i * 4}" x2="820" y2="${20 + i * 4}" stroke="black" stroke-width="1"/>`;
  const hatch = await svgToRaster(
    `<svg xmlns="http://www.w3.org/2000/svg" width="840" height="840"><rect width="840" height="840" fill="white"/>${mesh}</svg>`,
  );
  assert.deepEqual(await detectTables(hatch, [line('label', [20, 830, 80, 840])]), []);
  const cpu = process.cpuUsage(c0);
  // not a speed assertion: a bound that only an unbounded algorithm (minutes) would break
  assert.ok(cpu.user + cpu.system < 60e6);
});

test('rectangularCells cuts an L-shaped label into rectangles', () => {
  // labels: a a / a b  → the L of "a" becomes two rectangles
  const lab = [
    [1, 1],
    [1, 2],
  ];
  const cells = rectangularCells(2, 2, (i, j) => lab[i][j]);
  assert.deepEqual(cells, [
    { row: 0, col: 0, row_span: 1, col_span: 2 },
    { row: 1, col: 0, row_span: 1, col_span: 1 },
    { row: 1, col: 1, row_span: 1, col_span: 1 },
  ]);
});

test('compactLines lets lines of different sections share a column index', () => {
  // lines 0..4 at x 0, 10, 12, 30, 40; rows use {0,1,3,4} and {0,2,4}: 1 and 2 never meet → one column
  const idx = compactLines(
    4,
    [
      [0, 1, 3, 4],
      [0, 2, 4],
    ],
    [0, 10, 12, 30, 40],
  );
  assert.deepEqual(idx, [0, 1, 1, 2, 3]);
  // two sections of 2 cells with rules at different x: 3 columns become 2
  const cells = [
    { row: 0, col: 0, row_span: 1, col_span: 1 },
    { row: 0, col: 1, row_span: 1, col_span: 2 },
    { row: 1, col: 0, row_span: 1, col_span: 2 },
    { row: 1, col: 2, row_span: 1, col_span: 1 },
  ];
  const c = compactGrid(2, 3, cells, [0, 10, 12, 30]);
  assert.equal(c.n_cols, 2);
  assert.deepEqual(
    c.cells.map((x) => [x.row, x.col, x.col_span]),
    [
      [0, 0, 1],
      [0, 1, 1],
      [1, 0, 1],
      [1, 1, 1],
    ],
  );
});

test('compactLines with a gap limit keeps distinct printed rule positions apart', () => {
  // Lines 1 and 2 never meet in a row; 2 px apart they are one rule seen twice, 12 px apart two rules.
  assert.deepEqual(
    compactLines(
      4,
      [
        [0, 1, 3, 4],
        [0, 2, 4],
      ],
      [0, 10, 12, 30, 40],
      5,
    ),
    [0, 1, 1, 2, 3],
  );
  assert.deepEqual(
    compactLines(
      4,
      [
        [0, 1, 3, 4],
        [0, 2, 4],
      ],
      [0, 10, 22, 30, 40],
      5,
    ),
    [0, 1, 2, 3, 4],
  );
  const cells = [
    { row: 0, col: 0, row_span: 1, col_span: 1 },
    { row: 0, col: 1, row_span: 1, col_span: 2 },
    { row: 1, col: 0, row_span: 1, col_span: 2 },
    { row: 1, col: 2, row_span: 1, col_span: 1 },
  ];
  assert.equal(compactGrid(2, 3, cells, [0, 10, 22, 30], undefined, 5).n_cols, 3);
});

test('assignText splits a CJK word across cells by glyph widths and joins CJK without spaces', () => {
  const cells = [
    {
      quad: [
        [0, 0],
        [100, 0],
        [100, 30],
        [0, 30],
      ] as [number, number][],
    },
    {
      quad: [
        [100, 0],
        [200, 0],
        [200, 30],
        [100, 30],
      ] as [number, number][],
    },
  ];
  const l = line('北京江苏', [20, 5, 180, 25]);
  const pieces = assignText([l], cells);
  assert.equal(cellText(pieces.get(0) ?? []), '北京');
  assert.equal(cellText(pieces.get(1) ?? []), '江苏');
});

test('unruled table from aligned text: columns from gaps, header group span, wrapped cells', () => {
  // booktabs-like: "Group" centred over columns 1–2, sub-labels under it, a wrapped first cell
  const L = (text: string, x0: number, y0: number, x1: number) => line(text, [x0, y0, x1, y0 + 12]);
  const lines = [
    L('Group', 170, 10, 215),
    L('Item', 10, 24, 40),
    L('Mean', 130, 24, 165),
    L('SD', 230, 24, 250),
    L('First item with a long', 10, 44, 110),
    L('1.5', 135, 44, 158),
    L('0.2', 230, 44, 252),
    L('label', 10, 57, 35),
    L('Second', 10, 70, 55),
    L('2.5', 135, 70, 158),
    L('0.4', 230, 70, 252),
    L('Third', 10, 90, 45),
    L('3.5', 135, 90, 158),
    L('0.6', 230, 90, 252),
  ];
  const rules = [
    { x0: 5, x1: 260, y: 5 },
    { x0: 5, x1: 260, y: 39 },
    { x0: 5, x1: 260, y: 105 },
  ];
  const [t] = inferUnruledTables(lines, { textHeight: 12, rules, pageWidth: 300 });
  assert.ok(t);
  assert.equal(t.table.ruled, false);
  assert.deepEqual(
    t.table.cells.filter((c) => c.header).map((c) => c.text),
    ['', 'Group', 'Item', 'Mean', 'SD'],
  );
  assert.equal(
    tableToHtml(t.table).replace(/<(\/?)th/g, '<$1td'),
    '<table><tr><td></td><td colspan="2">Group</td></tr><tr><td>Item</td><td>Mean</td><td>SD</td></tr>' +
      '<tr><td>First item with a long label</td><td>1.5</td><td>0.2</td></tr><tr><td>Second</td><td>2.5</td><td>0.4</td></tr><tr><td>Third</td><td>3.5</td><td>0.6</td></tr></table>',
  );
  assert.equal(t.lines.length, lines.length);
  // plain prose is not a table
  const prose = [L('This is a sentence of ordinary text', 10, 10, 250), L('that wraps onto a second line.', 10, 26, 230)];
  assert.deepEqual(inferUnruledTables(prose, { textHeight: 12, rules: [], pageWidth: 300 }), []);
});
