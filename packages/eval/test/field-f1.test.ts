import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@ocrflow/core';
import { ANALYSIS_SCHEMA, type Analysis } from '@ocrflow/analysis';
import { fieldCounts, fieldF1Metric, normalizeField } from '../src/metrics/field-f1.metric.ts';

const src = { page: 0, bbox: null, confidence: 0.9 };
function analysis(fields: Analysis['fields']): Analysis {
  return { schema: ANALYSIS_SCHEMA, analyser: 'builtin', kind: 'receipt', kind_confidence: 0.9, fields, tables: [], timings_ms: {} };
}

test('field F1: exact match after upper-casing and collapsing white space', () => {
  assert.equal(normalizeField('  Mr  D.I.Y.\n(M) sdn bhd '), 'MR D.I.Y. (M) SDN BHD');
  const a = analysis({
    company: { value: 'Mr D.I.Y.  (M) sdn bhd', text: '', ...src },
    date: { value: '18-11-18', normalized: '2018-11-18', text: '18-11-18', ...src },
    address: { value: 'LOT 1851-A', text: '', ...src },
    total: { value: 30.9, currency: 'MYR', text: 'RM 30.90', ...src },
  });
  const c = fieldCounts(a, { company: 'MR D.I.Y. (M) SDN BHD', date: '18-11-18', address: 'LOT 1851-A & 1851-B', total: '30.90' });
  assert.deepEqual(c, { matched: 3, predicted: 4, truth: 4 });
});

test('field F1: the total keeps an attached symbol and drops a currency code; empty truth counts only the prediction', () => {
  const a = analysis({ total: { value: 8.2, currency: null, text: '$8.20', ...src } });
  assert.deepEqual(fieldCounts(a, { total: '$8.20' }), { matched: 1, predicted: 1, truth: 1 });
  assert.deepEqual(fieldCounts(a, { total: '' }), { matched: 0, predicted: 1, truth: 0 });
  assert.deepEqual(fieldCounts(analysis({}), { total: '9.00', company: 'X' }), { matched: 0, predicted: 0, truth: 2 });
});

test('field F1: the module scores micro F1 over documents and ignores samples without fields', async () => {
  // No LLM endpoint in this configuration: the built-in analyser.
  const m = fieldF1Metric.create({ analysis: loadConfig({ env: {} }) });
  const doc = { schema: 'ocrflow.document/1' as const, meta: { engine: 't', languages: [], mime: 'image/png', page_count: 0 }, pages: [] };
  await m.add({ sample: { name: 'a', imagePath: '', truthText: 'x' }, doc, text: '' });
  assert.deepEqual(m.result(), { field_f1: null });
  await m.add({ sample: { name: 'b', imagePath: '', truthFields: { company: 'ACME', total: '1.00' } }, doc, text: '' });
  // Nothing predicted on an empty document: 0 matched of 2 truths.
  assert.deepEqual(m.result(), { field_f1: 0 });
});
