/**
 * The built-in analyser on real receipts: each image of ../shared/datasets/sroie-dev goes through
 * the real OCR pipeline (default engine), then the analyser; values are checked against the
 * dataset's key fields. Date and total must match exactly (as written / as printed); company and
 * address, whose characters depend on OCR quality, must be close to the truth (≥ 0.9 similarity)
 * and come from the top of the page with their boxes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type OcrDocument } from '@ocrflow/core';
import { disposeEngines, engineOptionsFromConfig, runDocument } from '@ocrflow/engines';
import { analyseBuiltin, toSroieFields, validateAnalysis, type Analysis } from '../src/index.ts';
import { editDistance } from '../src/fields.amounts.ts';

const SROIE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/datasets/sroie-dev');
const NAMES = ['sroie-001', 'sroie-007', 'sroie-009', 'sroie-030'];
const docs = new Map<string, { doc: OcrDocument; a: Analysis; truth: Record<string, string> }>();

const norm = (s: string) => s.toUpperCase().replace(/\s+/g, ' ').trim();
function similarity(a: string, b: string): number {
  const x = norm(a),
    y = norm(b);
  return 1 - editDistance(x, y, Math.max(x.length, y.length)) / Math.max(1, x.length, y.length);
}

before(async () => {
  const config = loadConfig({ env: {} });
  for (const name of NAMES) {
    const doc = await runDocument(fs.readFileSync(path.join(SROIE, `${name}.jpg`)), {
      options: engineOptionsFromConfig(config),
      engine: 'paddle',
      mode: 'layout',
      filename: `${name}.jpg`,
    });
    const truth = JSON.parse(fs.readFileSync(path.join(SROIE, `${name}.gt.json`), 'utf8')) as Record<string, string>;
    docs.set(name, { doc, a: analyseBuiltin(doc), truth });
  }
});
after(() => disposeEngines());

test('receipts: every analysis is a valid ocrflow.analysis/1 of kind receipt', () => {
  for (const [name, { a }] of docs) {
    const v = validateAnalysis(a);
    assert.ok(v.ok, `${name}: ${JSON.stringify(v)}`);
    assert.equal(a.analyser, 'builtin');
    assert.equal(a.kind, 'receipt', name);
  }
});

test('receipts: the date as written and its ISO form', () => {
  // Upper-cased as SROIE compares: the recogniser may print `Mar` for `MAR`.
  const got = Object.fromEntries([...docs].map(([n, { a }]) => [n, [a.fields.date?.value.toUpperCase(), a.fields.date?.normalized]]));
  assert.deepEqual(got, {
    'sroie-001': ['19/10/2018', '2018-10-19'],
    'sroie-007': ['23-01-2019', '2019-01-23'],
    'sroie-009': ['18/01/2018', '2018-01-18'],
    // Printed `05 MAR 2018 18:24`: the time is not part of the date.
    'sroie-030': ['05 MAR 2018', '2018-03-05'],
  });
});

test('receipts: the total is the amount paid, as printed', () => {
  for (const [name, { a, truth }] of docs) assert.equal(toSroieFields(a).total, truth.total, name);
  // 001 prints TOTAL 60.31, ROUNDING ADJ -0.01 and the rounded 60.30 on its own row.
  assert.equal(docs.get('sroie-001')!.a.fields.total?.value, 60.3);
  assert.equal(docs.get('sroie-001')!.a.fields.total?.currency, 'MYR');
  // 030 prints dollars: the symbol stays in the printed form, the number is 8.2.
  assert.equal(docs.get('sroie-030')!.a.fields.total?.value, 8.2);
  assert.equal(docs.get('sroie-030')!.a.fields.tax?.value, 0.46);
});

test('receipts: company and address from the header, close to the truth, with boxes', () => {
  for (const [name, { a, truth, doc }] of docs) {
    const f = toSroieFields(a);
    if (name !== 'sroie-030') {
      // 030's header is printed so tightly that OCR loses its spaces; its check is the box below.
      assert.ok(similarity(f.company, truth.company) >= 0.9, `${name} company ${f.company} vs ${truth.company}`);
      assert.ok(similarity(f.address, truth.address) >= 0.9, `${name} address ${f.address} vs ${truth.address}`);
    }
    const h = doc.pages[0].height;
    assert.ok(a.fields.company!.bbox![3] < h * 0.35, `${name}: the company comes from the top of the page`);
    assert.ok(a.fields.address!.bbox![1] >= a.fields.company!.bbox![1], `${name}: the address is below the name`);
  }
  assert.equal(norm(toSroieFields(docs.get('sroie-009')!.a).company), 'GERBANG ALAF RESTAURANTS SDN BHD', 'not the former name printed below it');
  assert.equal(
    norm(toSroieFields(docs.get('sroie-007')!.a).company),
    'S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.',
    'not the stamp above it; the final period is printed',
  );
});

test('receipts: phone, invoice number and currency', () => {
  assert.equal(docs.get('sroie-001')!.a.fields.phone?.normalized, '073507405');
  assert.equal(docs.get('sroie-009')!.a.fields.phone?.normalized, '0341622318');
  assert.equal(docs.get('sroie-030')!.a.fields.invoice_number?.value, 'OR18030502160349');
  assert.equal(docs.get('sroie-007')!.a.fields.currency?.value, 'MYR');
});
