/**
 * Rules of the total on layouts they were not written for: hand-built rows for the amount reader and
 * the label arithmetic, and one real receipt of sroie-dev (read by the default OCR engine) whose total
 * is printed `Grand Tota1 RM29.30` — a misread label letter glued to the code before the figure.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@ocrflow/core';
import { disposeEngines, engineOptionsFromConfig, runDocument } from '@ocrflow/engines';
import { analyseBuiltin, amountAsPrinted, findAmounts, toSroieFields } from '../src/index.ts';
import { docOf } from './doc.helpers.ts';

type Entry = [string, number, number, number, number];
const rowsOf = (pairs: [string, string][], y: number): Entry[] =>
  pairs.flatMap(([label, amount], i) => [
    [label, 40, y + 30 * i, 260, y + 30 * i + 20] as Entry,
    ...(amount ? [[amount, 440, y + 30 * i, 540, y + 30 * i + 20] as Entry] : []),
  ]);
const HEADER: Entry[] = [
  ['KEDAI BUKU CAHAYA ENTERPRISE', 120, 20, 480, 56],
  ['NO 7, JALAN MERANTI 3,', 150, 64, 450, 82],
  ['81200 JOHOR BAHRU, JOHOR', 140, 86, 460, 104],
  ['DATE: 11/06/2019', 40, 140, 260, 160],
];
const SROIE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/datasets/sroie-dev');
after(() => disposeEngines());

test('amounts: a refused match does not hide the figure after it', () => {
  // `1 USD` is read first and refused (the 1 ends a word); the figure after the code is still found.
  assert.deepEqual(
    findAmounts('AMOUNT DUE Tota1 USD12.40').map((a) => [a.value, a.currency]),
    [[12.4, 'USD']],
  );
  assert.deepEqual(
    findAmounts('NETT TOTAl MYR 8.05').map((a) => a.value),
    [8.05],
  );
  // Barcodes, codes and percentages stay out as before.
  assert.deepEqual(
    findAmounts('SK 9556173380636 1 14.31').map((a) => a.text),
    ['1', '14.31'],
  );
  assert.deepEqual(
    findAmounts('LOT 1851-A GST 6% 2.50').map((a) => a.text),
    ['2.50'],
  );
});

test('SROIE view: a currency code glued to the figure is part of it, one set apart is not', () => {
  assert.equal(amountAsPrinted('MYR12.40'), 'MYR12.40');
  assert.equal(amountAsPrinted('RM4.0 0'), 'RM4.00');
  assert.equal(amountAsPrinted('RM 12.40'), '12.40');
  assert.equal(amountAsPrinted('12.40 MYR'), '12.40');
});

test('total: S glued before a figure is the dollar sign when the receipt prints $ elsewhere', () => {
  const items: Entry[] = [
    ['NOODLE SOUP', 40, 200, 260, 220],
    ['$6.40', 440, 200, 540, 220],
    ['TEA', 40, 230, 260, 250],
    ['$2.10', 440, 230, 540, 250],
  ];
  const doc = docOf([
    ...HEADER,
    ...items,
    ...rowsOf(
      [
        ['Grand Total:', 'S8.50'],
        ['Cash', '$10.00'],
        ['Change', '$1.50'],
      ],
      280,
    ),
  ]);
  const a = analyseBuiltin(doc);
  assert.equal(a.fields.total?.value, 8.5);
  assert.equal(toSroieFields(a).total, '$8.50');
  // Without any $ on the receipt, `S8.50` is no amount (a size, a code).
  const plain = docOf([...HEADER, ['SHIRT', 40, 200, 260, 220], ['S8.50', 440, 200, 540, 220], ...rowsOf([['TOTAL', '12.00']], 280)]);
  assert.equal(analyseBuiltin(plain).fields.total?.value, 12);
});

test('total: a figure under a rounded-total label stands when the payment arithmetic disagrees', () => {
  // The adjustment is printed without its minus: total + adjustment ≠ the rounded figure, and the
  // cash line repeats the unrounded one; the rounded total printed under its label is the total.
  const doc = docOf([
    ...HEADER,
    ...rowsOf(
      [
        ['TOTAL', '12.52'],
        ['ROUNDING ADJ', '0.02'],
        ['TOTAL AFTER ROUNDING', '12.50'],
        ['CASH', '20.04'],
        ['CHANGE', '7.50'],
      ],
      200,
    ),
  ]);
  const a = analyseBuiltin(doc);
  assert.equal(toSroieFields(a).total, '12.50');
});

test('a real receipt: the total after a misread label letter, its glued currency code kept for SROIE', async () => {
  const name = 'sroie-169';
  const doc = await runDocument(fs.readFileSync(path.join(SROIE, `${name}.jpg`)), {
    options: engineOptionsFromConfig(loadConfig({ env: {} })),
    engine: 'paddle',
    mode: 'layout',
    filename: `${name}.jpg`,
  });
  const truth = JSON.parse(fs.readFileSync(path.join(SROIE, `${name}.gt.json`), 'utf8')) as Record<string, string>;
  const a = analyseBuiltin(doc);
  assert.equal(a.fields.total?.value, 29.3);
  assert.equal(a.fields.total?.currency, 'MYR');
  assert.equal(toSroieFields(a).total, truth.total);
});
