import { test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import {
  documentToSheets,
  documentToXlsx,
  sheetsToXlsx,
  validateSheets,
  parseCellValue,
  displayWidth,
  sheetName,
  OcrflowError,
  type OcrDocument,
  type Table,
  type Sheet,
} from '@ocrflow/core';

function cell(row: number, col: number, text: string, row_span = 1, col_span = 1) {
  return { row, col, row_span, col_span, bbox: null, text, lines: [] };
}

const report: Table = {
  n_rows: 4,
  n_cols: 4,
  ruled: true,
  cells: [
    cell(0, 0, '指标名称', 2, 1),
    cell(0, 1, '25.4.26-25.7.25', 1, 2),
    cell(0, 3, 'ID'),
    cell(1, 1, '季度指标'),
    cell(1, 2, '指标结果'),
    cell(1, 3, 'Phone'),
    cell(2, 0, '及时响应率'),
    cell(2, 1, '99.11%'),
    cell(2, 2, '1,234.50'),
    cell(2, 3, '007'),
    cell(3, 0, '费用合计'),
    cell(3, 1, '(12.00)'),
    cell(3, 2, 'RM 12.50'),
    cell(3, 3, '13800138000'),
  ],
};
const second: Table = {
  n_rows: 2,
  n_cols: 2,
  ruled: false,
  caption: 'Table 2: Results [2024] / final',
  cells: [cell(0, 0, 'a'), cell(0, 1, 'b'), cell(1, 0, '1'), cell(1, 1, '2025-04-26')],
};

function doc(tables: Table[], text: string[] = []): OcrDocument {
  return {
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
          ...text.map((t, i) => ({
            id: `p0-t${i}`,
            type: 'text' as const,
            bbox: [0, 0, 1, 1] as [number, number, number, number],
            lines: [{ text: t, bbox: [0, 0, 1, 1] as [number, number, number, number], polygon: [], confidence: 1, words: [] }],
            text: t,
          })),
          ...tables.map((t, i) => ({ id: `p0-b${i}`, type: 'table' as const, bbox: [0, 0, 1, 1] as [number, number, number, number], table: t })),
        ],
      },
    ],
  };
}

async function readBack(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

test('cell values: numbers become numbers, identifiers and dates-as-printed stay text', () => {
  const cases: [string, string | number, string | undefined][] = [
    ['1,234.50', 1234.5, '#,##0.00'],
    ['99.11%', 0.9911, '0.00%'],
    ['0.00%', 0, '0.00%'],
    ['(12.00)', -12, '0.00;(0.00)'],
    ['-12', -12, undefined],
    ['−3.5', -3.5, '0.0'],
    ['4324', 4324, undefined],
    ['758.90', 758.9, '0.00'],
    ['RM 12.50', 12.5, '"RM" #,##0.00'],
    ['$1,234', 1234, '"$"#,##0'],
    ['１２３', 123, undefined],
    ['007', '007', undefined],
    ['13800138000', '13800138000', undefined],
    ['1234567890123456', '1234567890123456', undefined],
    ['+86 138 0013 8000', '+86 138 0013 8000', undefined],
    ['012-3456 7890', '012-3456 7890', undefined],
    ['25.4.26', '25.4.26', undefined],
    ['2025年4月26日', '2025年4月26日', undefined],
    ['≥95.00%', '≥95.00%', undefined],
    ['1.38 (4.79)', '1.38 (4.79)', undefined],
    ['达标', '达标', undefined],
    ['', '', undefined],
  ];
  for (const [input, value, fmt] of cases) {
    const p = parseCellValue(input);
    assert.deepEqual([p.value, p.numFmt], [value, fmt], input);
  }
  const d = parseCellValue('2025-04-26');
  assert.ok(d.value instanceof Date);
  assert.equal((d.value as Date).toISOString().slice(0, 10), '2025-04-26');
  assert.equal(parseCellValue('2025-02-30').value, '2025-02-30');
});

test('sheet names follow the Excel rules and stay unique', () => {
  const taken = new Set<string>();
  assert.equal(sheetName('Table 2: Results [2024] / final', 'Table_1', taken), 'Table 2 Results 2024 final');
  assert.equal(sheetName('a'.repeat(40), 'x', taken), 'a'.repeat(31));
  assert.equal(sheetName('A'.repeat(40), 'x', taken), 'A'.repeat(27) + ' (2)');
  assert.equal(sheetName("'quoted'", 'x', taken), 'quoted');
  assert.equal(sheetName('  ', 'Table_3', taken), 'Table_3');
  assert.equal(sheetName('History', 'Table_4', taken), 'Table_4');
});

test('documentToSheets: one sheet per table, text at the top-left of merges, merges listed', () => {
  const sheets = documentToSheets(doc([report, second], ['intro']));
  assert.deepEqual(
    sheets.map((s) => s.name),
    ['Table_1', 'Table 2 Results 2024 final'],
  );
  assert.deepEqual(sheets[0].rows[0], ['指标名称', '25.4.26-25.7.25', null, 'ID']);
  assert.deepEqual(sheets[0].rows[1], [null, '季度指标', '指标结果', 'Phone']);
  assert.deepEqual(sheets[0].merges, [
    { row: 0, col: 0, row_span: 2, col_span: 1 },
    { row: 0, col: 1, row_span: 1, col_span: 2 },
  ]);
});

test('documentToSheets without tables gives the text lines; an empty document gives a valid empty sheet', async () => {
  const sheets = documentToSheets(doc([], ['first line', '第二行']));
  assert.deepEqual(sheets, [{ name: 'Text', rows: [['first line'], ['第二行']], merges: [] }]);
  const empty: OcrDocument = { ...doc([]), pages: [] };
  const wb = await readBack(await documentToXlsx(empty));
  assert.equal(wb.worksheets.length, 1);
  assert.equal(wb.worksheets[0].name, 'Text');
});

test('XLSX: merges, number types and formats, text identifiers, header style, widths', async () => {
  const wb = await readBack(await documentToXlsx(doc([report, second])));
  assert.deepEqual(
    wb.worksheets.map((w) => w.name),
    ['Table_1', 'Table 2 Results 2024 final'],
  );
  const ws = wb.getWorksheet('Table_1')!;
  assert.deepEqual([...(ws.model.merges ?? [])].sort(), ['A1:A2', 'B1:C1']);
  assert.equal(ws.getCell('A1').value, '指标名称');
  assert.equal(ws.getCell('B3').value, 0.9911);
  assert.equal(ws.getCell('B3').numFmt, '0.00%');
  assert.equal(ws.getCell('C3').value, 1234.5);
  assert.equal(ws.getCell('C3').numFmt, '#,##0.00');
  assert.equal(ws.getCell('D3').value, '007');
  assert.equal(typeof ws.getCell('D3').value, 'string');
  assert.equal(ws.getCell('B4').value, -12);
  assert.equal(ws.getCell('C4').value, 12.5);
  assert.equal(ws.getCell('D4').value, '13800138000');
  assert.equal(ws.getCell('A1').font?.bold, true);
  assert.equal(ws.getCell('B1').font?.bold, true);
  assert.notEqual(ws.getCell('A3').font?.bold, true);
  assert.equal(ws.getCell('A3').alignment?.wrapText, true);
  // "及时响应率" is five CJK characters: width 10 + padding; "ID"/"Phone"/"13800138000" column: 11 + 2
  assert.equal(ws.getColumn(1).width, 12);
  assert.equal(ws.getColumn(4).width, 13);
  const ws2 = wb.getWorksheet('Table 2 Results 2024 final')!;
  assert.ok(ws2.getCell('B2').value instanceof Date);
});

test('display width counts CJK double', () => {
  assert.equal(displayWidth('abc'), 3);
  assert.equal(displayWidth('报告'), 4);
  assert.equal(displayWidth('Ａ1'), 3);
});

test('edited sheets: ragged rows are padded, numbers kept, 1x1 merges dropped', async () => {
  const edited: unknown = [
    {
      name: '报表',
      rows: [['a', 'b', 'c'], ['x'], [1.5, null, '2']],
      merges: [
        { row: 0, col: 0, row_span: 1, col_span: 2 },
        { row: 2, col: 2, row_span: 1, col_span: 1 },
      ],
    },
  ];
  const v = validateSheets(edited);
  assert.deepEqual(v[0].rows, [
    ['a', 'b', 'c'],
    ['x', null, null],
    [1.5, null, '2'],
  ]);
  assert.deepEqual(v[0].merges, [{ row: 0, col: 0, row_span: 1, col_span: 2 }]);
  const wb = await readBack(await sheetsToXlsx(v));
  const ws = wb.getWorksheet('报表')!;
  assert.deepEqual(ws.model.merges, ['A1:B1']);
  assert.equal(ws.getCell('A3').value, 1.5);
  assert.equal(ws.getCell('C3').value, 2);
  assert.equal(ws.getCell('B1').value, 'a'); // a merged slot reads as its master's value
});

test('malformed sheets are rejected with a message saying what is wrong', () => {
  const bad = (input: unknown, re: RegExp) =>
    assert.throws(
      () => validateSheets(input),
      (e: unknown) => e instanceof OcrflowError && e.code === 'OCRFLOW_ERR_INVALID_SHEETS' && re.test(e.message),
    );
  const ok: Sheet = {
    name: 'S',
    rows: [
      ['a', 'b'],
      ['c', 'd'],
    ],
    merges: [],
  };
  bad({}, /array of sheets/);
  bad([], /At least one/);
  bad([{ ...ok, name: 'a/b' }], /characters/);
  bad([{ ...ok, name: 'x'.repeat(32) }], /31/);
  bad([ok, { ...ok, name: 's' }], /used twice/);
  bad([{ ...ok, rows: 'x' }], /rows must be an array/);
  bad([{ ...ok, rows: [['a', { v: 1 }]] }], /row 1, column 2/);
  bad([{ ...ok, rows: [['a', Infinity]] }], /not finite/);
  bad([{ ...ok, merges: [{ row: 1, col: 1, row_span: 2, col_span: 1 }] }], /outside the sheet/);
  bad(
    [
      {
        ...ok,
        merges: [
          { row: 0, col: 0, row_span: 2, col_span: 1 },
          { row: 1, col: 0, row_span: 1, col_span: 2 },
        ],
      },
    ],
    /merge 2 overlaps merge 1 at row 2, column 1/,
  );
  bad([{ ...ok, merges: [{ row: -1, col: 0, row_span: 1, col_span: 2 }] }], /integers/);
  bad([{ ...ok, rows: Array.from({ length: 20_001 }, () => ['x']) }], /rows \(at most/);
  assert.doesNotThrow(() => validateSheets([ok]));
});
