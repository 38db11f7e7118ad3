/**
 * Faint printed rules (ruling.faint.ts) on drawn rasters: a grid printed in light grey, too faint
 * for the ink mask, is found by its ridge profile; a stroke inside a recognised text line is not a
 * rule; paper noise alone makes no rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BBox, Line, Point } from '@ocrflow/core';
import { detectFaintRulings, ridgeMask } from '../../src/tables/ruling.faint.ts';
import { detectRulings, crossAt, type RuleSegment } from '../../src/tables/ruling.detect.ts';
import { textQuad } from '../../src/tables/ruling.filter.ts';
import { sauvola, toWorkingGray } from '../../src/tables/ink.binarize.ts';
import { detectTables } from '../../src/tables/tables.detect.ts';
import { svgToRaster } from './render.helper.ts';

const XS = [60, 260, 460, 700],
  YS = [60, 130, 200, 270, 340];
const TEXTS = [
  ['Item', 'Qty', 'Amount'],
  ['Paper', '12', '34.50'],
  ['Toner', '3', '120.00'],
  ['Total', '15', '154.50'],
];
const W = 760,
  H = 400,
  FS = 18;

/** Light grey rules (#e9e9e9: ~22 grey levels under the paper), dark text, slightly blurred like a lens. */
function faintSvg(extra = ''): string {
  const rule = (x1: number, y1: number, x2: number, y2: number) => `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#e9e9e9" stroke-width="1.5"/>`;
  const rules = YS.map((y) => rule(XS[0], y, XS[3], y)).join('') + XS.map((x) => rule(x, YS[0], x, YS[4])).join('');
  const text = TEXTS.flatMap((row, r) =>
    row.map(
      (t, c) =>
        `<text x="${(XS[c] + XS[c + 1]) / 2}" y="${(YS[r] + YS[r + 1]) / 2 + FS * 0.35}" font-size="${FS}" font-family="DejaVu Sans, sans-serif" text-anchor="middle">${t}</text>`,
    ),
  ).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="white"/>${rules}${text}${extra}</svg>`;
}

/** The text lines a recogniser would report for the drawing. */
function lines(): Line[] {
  return TEXTS.flatMap((row, r) =>
    row.map((text, c) => {
      const cx = (XS[c] + XS[c + 1]) / 2,
        cy = (YS[r] + YS[r + 1]) / 2,
        w = 0.62 * FS * text.length,
        h = 1.1 * FS;
      const bbox: BBox = [Math.round(cx - w / 2), Math.round(cy - h / 2), Math.round(cx + w / 2), Math.round(cy + h / 2)];
      const polygon: Point[] = [
        [bbox[0], bbox[1]],
        [bbox[2], bbox[1]],
        [bbox[2], bbox[3]],
        [bbox[0], bbox[3]],
      ];
      return { text, bbox, polygon, confidence: 0.99, words: [] };
    }),
  );
}

const positions = (segs: RuleSegment[]) => segs.map((s) => Math.round(crossAt(s, (s.a0 + s.a1) / 2))).sort((a, b) => a - b);
const near = (found: number[], want: number[]) => want.every((w) => found.some((f) => Math.abs(f - w) <= 2));

test('a grid printed in light grey: invisible to the ink mask, found whole by its ridge profile', async () => {
  const { gray } = await toWorkingGray(await svgToRaster(faintSvg()), 2000);
  const ink = detectRulings(sauvola(gray), W, H, { minRun: 24, minLength: 30, maxThickness: 8, maxGap: 10 });
  assert.equal(ink.horizontal.length + ink.vertical.length, 0, 'the ink mask should not see these rules (else the test proves nothing)');
  const texts = lines().map((l) => textQuad(l.polygon));
  const faint = detectFaintRulings(gray, { textHeight: 20, texts });
  assert.ok(near(positions(faint.horizontal), YS), `horizontal ${positions(faint.horizontal)}`);
  assert.ok(near(positions(faint.vertical), XS), `vertical ${positions(faint.vertical)}`);
  assert.equal(faint.horizontal.length, YS.length, `horizontal ${positions(faint.horizontal)}`);
  assert.equal(faint.vertical.length, XS.length, `vertical ${positions(faint.vertical)}`);
  for (const s of faint.horizontal) assert.ok(s.a1 - s.a0 > 0.9 * (XS[3] - XS[0]), `a rule found in pieces: ${s.a0}–${s.a1}`);
});

test('the faint grid becomes the table: 4 × 3 with every text in its box', async () => {
  const found = await detectTables(await svgToRaster(faintSvg()), lines(), { unruled: false });
  assert.equal(found.length, 1);
  const t = found[0].table;
  assert.equal(t.n_rows, 4);
  assert.equal(t.n_cols, 3);
  const cell = (r: number, c: number) => t.cells.find((x) => x.row === r && x.col === c)?.text;
  TEXTS.forEach((row, r) => row.forEach((text, c) => assert.equal(cell(r, c), text)));
});

test('a faint stroke inside a recognised text line is not a rule; outside any line it is', async () => {
  // A long light stroke through the middle of a line's box, like the bar of a row of CJK characters.
  const stroke = '<line x1="80" y1="372" x2="420" y2="372" stroke="#e9e9e9" stroke-width="1.5"/>';
  const { gray } = await toWorkingGray(await svgToRaster(faintSvg(stroke)), 2000);
  const box: Point[] = [
    [70, 362],
    [430, 362],
    [430, 382],
    [70, 382],
  ];
  const without = detectFaintRulings(gray, { textHeight: 20, texts: lines().map((l) => textQuad(l.polygon)) });
  assert.ok(
    positions(without.horizontal).some((y) => Math.abs(y - 372) <= 2),
    'the stroke is a ridge like any rule',
  );
  const withText = detectFaintRulings(gray, { textHeight: 20, texts: [...lines().map((l) => textQuad(l.polygon)), textQuad(box)] });
  assert.ok(!positions(withText.horizontal).some((y) => Math.abs(y - 372) <= 4), `taken from inside a text line: ${positions(withText.horizontal)}`);
});

test('paper noise alone: ridge pixels here and there, but no rule', () => {
  const w = 600,
    h = 400;
  const data = new Uint8Array(w * h);
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < data.length; i++) data[i] = Math.round(235 + 14 * (rnd() - 0.5));
  const g = { data, width: w, height: h };
  const ridges = ridgeMask(g, 2, 6).reduce((s, v) => s + v, 0);
  assert.ok(ridges > 0, 'noise should make some ridge pixels (else the test proves nothing)');
  const faint = detectFaintRulings(g, { textHeight: 16, texts: [] });
  assert.equal(faint.horizontal.length + faint.vertical.length, 0, `rules from noise: ${positions(faint.horizontal)} / ${positions(faint.vertical)}`);
});
