/**
 * Folds grouped by source: samples of one vendor never sit on both sides of a split, the holdout
 * is about a fifth and spread over many vendors, and the plan is the same on every run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assignFolds, assignVendorFolds, groupVendorKeys, vendorKey } from '../src/dataset.folds.ts';
import { loadDataset } from '../src/dataset.loader.ts';

const SROIE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/datasets/sroie-dev');

test('vendor key: branch in parentheses, legal form, punctuation and spacing do not count', () => {
  assert.equal(vendorKey('MR. D. I. Y. (KUCHAI) SDN BHD'), 'MRDIY');
  assert.equal(vendorKey('MR.D.I.Y(M)SDN BHD'), 'MRDIY');
  assert.equal(vendorKey('Acme Trading S/B'), 'ACMETRADING');
  assert.equal(vendorKey('GLOBAL FOODS CO. (M) BHD.'), 'GLOBALFOODS');
  assert.notEqual(vendorKey('GLOBAL FOODS'), vendorKey('GLOBAL TOOLS TRADING'));
});

test('vendor groups: a typo apart or one brand with several branches is one group; different shops are not', () => {
  const g = groupVendorKeys(['NORTHWINDSTATIONERY', 'NORTHWINOSTATIONERY', 'SUNPETROLRIVERSIDE', 'SUNPETROLHILLTOP', 'ABCMART', 'ABDMART', 'KEDAIBARU']);
  assert.equal(g.get('NORTHWINDSTATIONERY'), g.get('NORTHWINOSTATIONERY'));
  assert.equal(g.get('SUNPETROLRIVERSIDE'), g.get('SUNPETROLHILLTOP'));
  // Short keys get no typo allowance: two shops, two groups.
  assert.notEqual(g.get('ABCMART'), g.get('ABDMART'));
  assert.notEqual(g.get('KEDAIBARU'), g.get('NORTHWINDSTATIONERY'));
});

test('grouped folds: no group on two sides, sizes near their targets, the same plan on every run', () => {
  const samples = Array.from({ length: 60 }, (_, i) => ({ name: `s-${String(i).padStart(2, '0')}`, shop: `shop${i % 17}` }));
  const plan = assignFolds(samples, { k: 4, holdoutShare: 0.2, group: (s) => s.shop });
  const side = new Map<string, string>();
  for (const d of plan.dev) {
    const prev = side.get(d.sample.shop);
    assert.ok(prev === undefined || prev === `f${d.fold}`, `${d.sample.shop} in ${prev} and f${d.fold}`);
    side.set(d.sample.shop, `f${d.fold}`);
  }
  for (const h of plan.holdout) assert.ok(!side.has(h.shop) || side.get(h.shop) === 'H', `${h.shop} in the holdout and a fold`);
  assert.equal(plan.dev.length + plan.holdout.length, 60);
  assert.ok(plan.holdout.length >= 8 && plan.holdout.length <= 16, `holdout ${plan.holdout.length}`);
  for (let k = 0; k < 4; k++) assert.ok(plan.dev.filter((d) => d.fold === k).length >= 8, `fold ${k}`);
  assert.deepEqual(assignFolds([...samples].reverse(), { k: 4, group: (s) => s.shop }), plan);
  assert.throws(() => assignFolds(samples, { k: 1 }), RangeError);
  assert.throws(() => assignFolds(samples, { holdoutShare: 1 }), RangeError);
});

test('a source too large for the holdout goes to a fold', () => {
  const samples = Array.from({ length: 50 }, (_, i) => ({ name: `s-${String(i).padStart(2, '0')}`, shop: i < 12 ? 'big' : `shop${i}` }));
  const plan = assignFolds(samples, { k: 5, holdoutShare: 0.2, group: (s) => s.shop });
  assert.ok(plan.holdout.every((s) => s.shop !== 'big'));
});

test('sroie-dev: receipts of one vendor (by the truth company) never on both sides of a split', () => {
  const samples = loadDataset(SROIE).filter((s) => s.truthFields);
  const plan = assignVendorFolds(samples);
  const where = new Map<string, string>();
  for (const d of plan.dev) where.set(d.sample.name, `f${d.fold}`);
  for (const h of plan.holdout) where.set(h.name, 'H');
  const sideOfKey = new Map<string, string>();
  for (const s of samples) {
    const key = vendorKey(s.truthFields!.company);
    const prev = sideOfKey.get(key);
    assert.ok(prev === undefined || prev === where.get(s.name), `${key}: ${prev} and ${where.get(s.name)}`);
    sideOfKey.set(key, where.get(s.name)!);
  }
  assert.ok(plan.holdout.length >= 0.15 * samples.length && plan.holdout.length <= 0.25 * samples.length);
  const holdoutVendors = new Set(plan.holdout.map((s) => plan.groupOf.get(s.name)));
  assert.ok(holdoutVendors.size >= plan.holdout.length / 2, 'the holdout is spread over many vendors');
});
