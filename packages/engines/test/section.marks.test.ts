import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Line } from '@ocrflow/core';
import { unifySectionMarks } from '../src/paddle/recognise/enumerators.ts';

/** A line as the recogniser gives it: words split at spaces, boxes side by side. */
function line(text: string, y = 0): Line {
  const words = text.split(' ').map((t, i) => ({ text: t, bbox: [i * 100, y, i * 100 + 90, y + 20] as [number, number, number, number], confidence: 0.95 }));
  return {
    text,
    bbox: [0, y, words.length * 100, y + 20],
    polygon: [
      [0, y],
      [words.length * 100, y],
      [words.length * 100, y + 20],
      [0, y + 20],
    ],
    confidence: 0.95,
    words,
  };
}
const texts = (ls: readonly Line[]) => ls.map((l) => l.text);

test("a stray full stop among section numbers written with 、 takes the page's mark, in the line and its first word", () => {
  const page = [
    line('1、目的'),
    line('本报告用于运营期'),
    line('2. 合同内容'),
    line('3、运营业务量情况3.1、工单量数据'),
    line('4、运营指标达成情况'),
    line('5、结款明细'),
  ];
  const out = unifySectionMarks(page);
  assert.deepEqual(texts(out), ['1、目的', '本报告用于运营期', '2、 合同内容', '3、运营业务量情况3.1、工单量数据', '4、运营指标达成情况', '5、结款明细']);
  assert.equal(out[2].words[0].text, '2、');
  assert.equal(out[1], page[1], 'other lines are the same objects');
});

test('a page numbered with full stops keeps them, and its stray 、 becomes a full stop', () => {
  const out = unifySectionMarks([line('1.范围'), line('2.术语'), line('3、要求'), line('4.方法'), line('5.检验')]);
  assert.deepEqual(texts(out), ['1.范围', '2.术语', '3.要求', '4.方法', '5.检验']);
});

test('no clear majority, too few section numbers, or no section numbers: nothing changes', () => {
  const split = [line('1.范围'), line('2.术语'), line('3、要求'), line('4、方法')];
  assert.deepEqual(texts(unifySectionMarks(split)), texts(split));
  const few = [line('1、目的'), line('2.合同')];
  assert.deepEqual(texts(unifySectionMarks(few)), texts(few));
  // Decimals, sub-numbers, Latin items and numbers followed by Latin text are no section numbers.
  const other = [line('1、目的'), line('2、合同'), line('3、数据'), line('3.1、工单'), line('1.5倍'), line('a.为提高'), line('2. Scope'), line('12.50 元')];
  assert.deepEqual(texts(unifySectionMarks(other)), texts(other));
});

test('a section number read apart from its heading counts by the Chinese line beside it', () => {
  const at = (text: string, x: number, y: number): Line => {
    const l = line(text, y);
    const w = l.bbox[2] - l.bbox[0];
    return { ...l, bbox: [x, y, x + w, y + 20], words: l.words.map((wd) => ({ ...wd, bbox: [wd.bbox[0] + x, wd.bbox[1], wd.bbox[2] + x, wd.bbox[3]] })) };
  };
  const page = [
    at('1、', 0, 0),
    at('目的', 110, 2),
    at('2.', 0, 100),
    at('合同内容', 130, 98),
    at('3、', 0, 200),
    at('运营', 105, 200),
    at('4、', 0, 300),
    at('结款', 100, 301),
    // A number far from any text, or beside a number, is no section number.
    at('5.', 0, 400),
    at('6.', 0, 500),
    at('2024', 110, 500),
  ];
  assert.deepEqual(texts(unifySectionMarks(page)), ['1、', '目的', '2、', '合同内容', '3、', '运营', '4、', '结款', '5.', '6.', '2024']);
});

test("a number whose detector box runs on past its comma, over the heading's start, is still read apart beside it", () => {
  // "3." is read at 0–30 (its word), but its box reaches to 60; the heading starts at 45.
  const num: Line = {
    text: '3.',
    bbox: [0, 200, 60, 215],
    polygon: [
      [0, 200],
      [60, 200],
      [60, 215],
      [0, 215],
    ],
    confidence: 0.85,
    words: [{ text: '3.', bbox: [0, 200, 30, 215], confidence: 0.85 }],
  };
  const heading: Line = { ...line('运营业务量情况', 197), bbox: [45, 197, 200, 217] };
  const page = [line('1、目的'), line('2、合同内容', 100), num, heading, line('4、运营指标', 300), line('5、结款明细', 400)];
  assert.deepEqual(texts(unifySectionMarks(page)), ['1、目的', '2、合同内容', '3、', '运营业务量情况', '4、运营指标', '5、结款明细']);
});
