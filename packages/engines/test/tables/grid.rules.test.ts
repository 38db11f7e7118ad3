/**
 * The ruled-grid builder on rules as they come out of real printers, scanners and phones, drawn as
 * rasters (SVG → sharp): slanted, bowed, broken into dashes, doubled frames, a rule printed across
 * only part of the table, text touching rules, and two text lines in one box. Text lines are given
 * where a recogniser would report them (the drawing's own text boxes, moved by the same transform).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BBox, Line, Table } from '@ocrflow/core';
import { detectTables } from '../../src/tables/tables.detect.ts';
import { svgToRaster } from './render.helper.ts';

interface Label {
  text: string;
  x: number;
  y: number;
  size?: number;
}

/** Rotation by `deg` about (cx, cy), as SVG's rotate() does. */
function rotor(deg: number, cx: number, cy: number) {
  const r = (deg * Math.PI) / 180,
    c = Math.cos(r),
    s = Math.sin(r);
  return (x: number, y: number): [number, number] => [cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c];
}

/** A page with `rules` (SVG elements) and `labels` (centred text), both turned by `deg`. */
async function page(rules: string, labels: Label[], opts: { deg?: number; width?: number; height?: number } = {}) {
  const W = opts.width ?? 760,
    H = opts.height ?? 420,
    deg = opts.deg ?? 0;
  const turn = rotor(deg, W / 2, H / 2);
  const text = labels
    .map(
      (l) =>
        `<text x="${l.x}" y="${l.y + (l.size ?? 18) * 0.35}" font-size="${l.size ?? 18}" font-family="DejaVu Sans, sans-serif" text-anchor="middle">${l.text}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="white"/><g transform="rotate(${deg} ${W / 2} ${H / 2})">${rules}${text}</g></svg>`;
  const lines: Line[] = labels.map((l) => {
    const size = l.size ?? 18;
    const w = 0.62 * size * l.text.length,
      h = 1.1 * size;
    const [cx, cy] = turn(l.x, l.y);
    const poly: [number, number][] = [
      turn(l.x - w / 2, l.y - h / 2),
      turn(l.x + w / 2, l.y - h / 2),
      turn(l.x + w / 2, l.y + h / 2),
      turn(l.x - w / 2, l.y + h / 2),
    ];
    const bbox: BBox = [Math.round(cx - w / 2), Math.round(cy - h / 2), Math.round(cx + w / 2), Math.round(cy + h / 2)];
    return { text: l.text, bbox, polygon: poly, confidence: 0.99, words: [] };
  });
  return { image: await svgToRaster(svg), lines };
}

const hline = (x0: number, x1: number, y: number, extra = '') => `<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="black" stroke-width="2" ${extra}/>`;
const vline = (x: number, y0: number, y1: number, extra = '') => `<line x1="${x}" y1="${y0}" x2="${x}" y2="${y1}" stroke="black" stroke-width="2" ${extra}/>`;

// A 4 × 3 table: x at 60, 260, 460, 700; y at 60, 130, 200, 270, 340.
const XS = [60, 260, 460, 700],
  YS = [60, 130, 200, 270, 340];
const TEXTS = [
  ['Item', 'Qty', 'Amount'],
  ['Paper', '12', '34.50'],
  ['Toner', '3', '120.00'],
  ['Total', '15', '154.50'],
];
const labels = (): Label[] => TEXTS.flatMap((row, r) => row.map((text, c) => ({ text, x: (XS[c] + XS[c + 1]) / 2, y: (YS[r] + YS[r + 1]) / 2 })));
const fullGrid = (extra = '') => YS.map((y) => hline(XS[0], XS[3], y, extra)).join('') + XS.map((x) => vline(x, YS[0], YS[4], extra)).join('');

function grid(t: Table): string[][] {
  const out = Array.from({ length: t.n_rows }, () => new Array<string>(t.n_cols).fill('·'));
  for (const c of t.cells) out[c.row][c.col] = c.text + (c.row_span > 1 || c.col_span > 1 ? `[${c.row_span}x${c.col_span}]` : '');
  return out;
}

async function one(rules: string, ls: Label[], opts?: { deg?: number }): Promise<Table> {
  const { image, lines } = await page(rules, ls, opts);
  const found = await detectTables(image, lines, { unruled: false });
  assert.equal(found.length, 1, `tables: ${found.map((f) => `${f.table.n_rows}x${f.table.n_cols}`).join(', ')}`);
  return found[0].table;
}

test('straight rules: the reference drawing reads as 4 × 3 with every text in its box', async () => {
  assert.deepEqual(grid(await one(fullGrid(), labels())), TEXTS);
});

for (const deg of [1, -2]) {
  test(`rules slanted by ${deg}°: the same 4 × 3 boxes and texts`, async () => {
    assert.deepEqual(grid(await one(fullGrid(), labels(), { deg })), TEXTS);
  });
}

test('bowed rules (paper bent by 5 px over the width): the same boxes and texts', async () => {
  const bow = (y: number) => `<path d="M ${XS[0]} ${y} Q ${(XS[0] + XS[3]) / 2} ${y + 10} ${XS[3]} ${y}" fill="none" stroke="black" stroke-width="2"/>`;
  const rules = YS.map(bow).join('') + XS.map((x) => vline(x, YS[0], YS[4] + (x > XS[0] && x < XS[3] ? 4 : 0))).join('');
  assert.deepEqual(grid(await one(rules, labels())), TEXTS);
});

test('rules broken by faint print (dashes with gaps): still whole separators', async () => {
  assert.deepEqual(grid(await one(fullGrid('stroke-dasharray="40 5"'), labels())), TEXTS);
});

test('a double outer frame adds no sliver rows or columns', async () => {
  const outer = `<rect x="${XS[0] - 5}" y="${YS[0] - 5}" width="${XS[3] - XS[0] + 10}" height="${YS[4] - YS[0] + 10}" fill="none" stroke="black" stroke-width="2"/>`;
  assert.deepEqual(grid(await one(fullGrid() + outer, labels())), TEXTS);
});

test('a thick outer frame is a boundary like any other', async () => {
  const frame = `<rect x="${XS[0]}" y="${YS[0]}" width="${XS[3] - XS[0]}" height="${YS[4] - YS[0]}" fill="none" stroke="black" stroke-width="5"/>`;
  assert.deepEqual(grid(await one(fullGrid() + frame, labels())), TEXTS);
});

test('a rule printed across only part of the table splits only there', async () => {
  // The rule between rows 1 and 2 is missing under the first column: "Paper" spans both rows there.
  const rules = YS.map((y, i) => hline(i === 2 ? XS[1] : XS[0], XS[3], y)).join('') + XS.map((x) => vline(x, YS[0], YS[4])).join('');
  const ls = labels()
    .filter((l) => l.text !== 'Toner')
    .map((l) => (l.text === 'Paper' ? { ...l, y: YS[2] } : l));
  assert.deepEqual(grid(await one(rules, ls)), [
    ['Item', 'Qty', 'Amount'],
    ['Paper[2x1]', '12', '34.50'],
    ['·', '3', '120.00'],
    ['Total', '15', '154.50'],
  ]);
});

test('text touching the rules stays in its box and does not break the rules', async () => {
  // Large text in the first column whose glyphs reach the rules above and below.
  const ls = labels().map((l) => (l.x < XS[1] && l.y > YS[1] ? { ...l, size: 58 } : l));
  const t = await one(fullGrid(), ls);
  assert.deepEqual(grid(t), TEXTS);
});

test('two text lines with no rule between them stay one cell', async () => {
  const ls = labels().flatMap((l) =>
    l.text === 'Toner'
      ? [
          { ...l, text: 'Toner', y: l.y - 13 },
          { ...l, text: 'black', y: l.y + 13 },
        ]
      : [l],
  );
  const t = await one(fullGrid(), ls);
  assert.deepEqual(grid(t), [TEXTS[0], TEXTS[1], ['Toner black', '3', '120.00'], TEXTS[3]]);
});

test('two tables stacked and touching, of different widths, are two tables; a form with one frame is one', async () => {
  // Upper table 3 × 2 at x 120..520, lower table 2 × 3 at x 60..700 starting 4 px under it; the
  // upper one's middle rule lines up with one of the lower one's.
  const up = [60, 100, 140, 180],
    low = [184, 224, 264];
  const rules =
    up.map((y) => hline(120, 520, y)).join('') +
    [120, 320, 520].map((x) => vline(x, 60, 180)).join('') +
    low.map((y) => hline(60, 700, y)).join('') +
    [60, 320, 500, 700].map((x) => vline(x, 184, 264)).join('');
  const ls: Label[] = [
    ...['a', 'b', 'c'].flatMap((t, r) => [
      { text: `${t}1`, x: 220, y: 80 + 40 * r },
      { text: `${t}2`, x: 420, y: 80 + 40 * r },
    ]),
    ...['x', 'y'].flatMap((t, r) => [
      { text: `${t}1`, x: 190, y: 204 + 40 * r },
      { text: `${t}2`, x: 410, y: 204 + 40 * r },
      { text: `${t}3`, x: 600, y: 204 + 40 * r },
    ]),
  ];
  const { image, lines } = await page(rules, ls);
  const found = await detectTables(image, lines, { unruled: false });
  assert.deepEqual(
    found.map((f) => grid(f.table)),
    [
      [
        ['a1', 'a2'],
        ['b1', 'b2'],
        ['c1', 'c2'],
      ],
      [
        ['x1', 'x2', 'x3'],
        ['y1', 'y2', 'y3'],
      ],
    ],
  );
  // The same two blocks inside one outer frame are one form with two sections.
  const framed = rules + vline(60, 60, 264) + vline(700, 60, 264) + hline(60, 700, 60) + hline(60, 700, 180);
  const one = await detectTables((await page(framed, ls)).image, lines, { unruled: false });
  assert.equal(one.length, 1);
});
