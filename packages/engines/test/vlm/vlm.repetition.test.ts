import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trimRepetition } from '../../src/vlm/vlm.repetition.ts';

const DATASETS = fileURLToPath(new URL('../../../../../shared/datasets/', import.meta.url));

test('real answers are left alone: DeepSeek page, PP-Structure report table with many empty cells', () => {
  const grounded = readFileSync(`${DATASETS}vlm-outputs/deepseek-ocr-grounding-de-math.mmd`, 'utf8');
  assert.deepEqual(trimRepetition(grounded), { text: grounded, runs: 0, removedChars: 0, removedFraction: 0, endsInLoop: false });
  const report = JSON.parse(readFileSync(`${DATASETS}cn-report-dev/report-scan.ppstructure.json`, 'utf8')).pages[0].parsing_res_list[0].block_content as string;
  assert.equal(trimRepetition(report).runs, 0);
});

test('legitimate short repeats stay: dotted leaders, zeros, a few equal rows, empty cells', () => {
  const toc = '1 Einleitung ' + '.'.repeat(400) + ' 3\n2 Methoden ' + '. '.repeat(200) + '7';
  assert.equal(trimRepetition(toc).runs, 0);
  assert.equal(trimRepetition('Betrag: 1' + '0'.repeat(12) + ' EUR').runs, 0);
  const rows = '<table>' + '<tr><td>0</td><td>0</td><td>0</td></tr>'.repeat(3) + '<tr>' + '<td></td>'.repeat(200) + '</tr></table>';
  assert.equal(trimRepetition(rows).runs, 0);
});

test('a header line repeated 20 times is cut to one; text after it is kept', () => {
  const r = trimRepetition('Intro\n' + 'KAPITEL 2: ERGEBNISSE DER MESSUNG\n'.repeat(20) + 'Die Messung ergab 4,2 mm.');
  assert.equal(r.text, 'Intro\nKAPITEL 2: ERGEBNISSE DER MESSUNG\nDie Messung ergab 4,2 mm.');
  assert.equal(r.runs, 1);
  assert.equal(r.endsInLoop, false);
});

test('a table row looping to the end is cut, the row stays well-formed, and the loop is reported', () => {
  const r = trimRepetition('<table><tr><td>Pos</td><td>Betrag</td></tr>' + '<tr><td>Summe netto</td><td>1.234,00</td></tr>'.repeat(60) + '<tr><td>Summe ne');
  assert.equal(r.text, '<table><tr><td>Pos</td><td>Betrag</td></tr><tr><td>Summe netto</td><td>1.234,00</td></tr>');
  assert.ok(r.endsInLoop);
  assert.ok(r.removedFraction > 0.9);
});

test('an n-gram loop inside a line is cut', () => {
  const r = trimRepetition('Der Kunde zahlt ' + 'und zahlt '.repeat(80));
  assert.equal(r.text, 'Der Kunde zahlt und ');
  assert.ok(r.endsInLoop);
});

test('grounded blocks repeated with moving boxes are cut to the first', () => {
  let s = '<|ref|>title<|/ref|><|det|>[[10, 10, 500, 40]]<|/det|>\n# Rechnung\n\n';
  for (let i = 0; i < 12; i++) s += `<|ref|>text<|/ref|><|det|>[[10, ${50 + 20 * i}, 900, ${65 + 20 * i}]]<|/det|>\nVielen Dank für Ihren Einkauf!\n\n`;
  s += '<|ref|>text<|/ref|><|det|>[[10, 900, 900, 920]]<|/det|>\nUSt-IdNr. DE123456789';
  const r = trimRepetition(s);
  assert.equal((r.text.match(/Vielen Dank/g) ?? []).length, 1);
  assert.match(r.text, /USt-IdNr\. DE123456789$/);
  assert.equal(r.endsInLoop, false);
});

test('three identical blocks (a sheet of three equal coupons) are not a loop', () => {
  let s = '';
  for (let i = 0; i < 3; i++)
    s += `<|ref|>text<|/ref|><|det|>[[10, ${300 * i}, 900, ${300 * i + 250}]]<|/det|>\nGutschein über 10 EUR, einzulösen bis 31.12.2025 in allen Filialen der Bäckerei Schmidt. Nicht mit anderen Aktionen kombinierbar. Keine Barauszahlung. Pro Einkauf ein Gutschein.\n\n`;
  assert.equal(trimRepetition(s).runs, 0);
});
