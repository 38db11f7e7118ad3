import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDates, parseDate, isValidIsoDate } from '../src/normalize.date.ts';
import { findAmounts, parseAmount, readNumber, formatAmount } from '../src/normalize.amount.ts';

test('dates: numeric day-first, two-digit years windowed', () => {
  assert.deepEqual(parseDate('24-01-18'), { text: '24-01-18', value: '24-01-18', iso: '2018-01-24', index: 0, ambiguous: false });
  assert.equal(parseDate('25/12/2018 8:13:39 PM')?.iso, '2018-12-25');
  assert.equal(parseDate('25/12/2018 8:13:39 PM')?.text, '25/12/2018');
  assert.equal(parseDate('01-03-18')?.iso, '2018-03-01');
  assert.equal(parseDate('01-03-18')?.ambiguous, true);
  assert.equal(parseDate('01-03-18', { dayFirst: false })?.iso, '2018-01-03');
  assert.equal(parseDate('31.12.99')?.iso, '1999-12-31');
  assert.equal(parseDate('25.12.2018')?.iso, '2018-12-25');
});

test('dates: month-first only when the numbers force it', () => {
  assert.equal(parseDate('12/28/2017')?.iso, '2017-12-28');
  assert.equal(parseDate('12/28/2017')?.ambiguous, false);
});

test('dates: CJK, year-first and month names', () => {
  assert.deepEqual(parseDate('开票日期：2018年12月25日'), { text: '2018年12月25日', value: '2018年12月25日', iso: '2018-12-25', index: 5, ambiguous: false });
  assert.equal(parseDate('2018 年 1 月 5 日')?.iso, '2018-01-05');
  assert.equal(parseDate('2019-01-12')?.iso, '2019-01-12');
  assert.equal(parseDate('2019/1/5')?.iso, '2019-01-05');
  assert.equal(parseDate('12 Jan 2019')?.iso, '2019-01-12');
  assert.equal(parseDate('12 Jan 2019')?.text, '12 Jan 2019');
  assert.equal(parseDate('05 MAR 2018 18:24')?.text, '05 MAR 2018');
  assert.equal(parseDate('25-DEC-18')?.iso, '2018-12-25');
  assert.equal(parseDate('Jan 12, 2019')?.iso, '2019-01-12');
  assert.equal(parseDate('1st September 2020')?.iso, '2020-09-01');
  assert.equal(parseDate('12 OGOS 2019')?.iso, '2019-08-12');
});

test('dates: OCR spacing slips are undone in the printed value', () => {
  assert.deepEqual(
    ['05MAR2018', '10 MAR201818:24', 'DATE 25/12/20 18', '25/12/ 2018', '12-01-19 21:13'].map((s) => [parseDate(s)?.value, parseDate(s)?.iso]),
    [
      ['05 MAR 2018', '2018-03-05'],
      ['10 MAR 2018', '2018-03-10'],
      ['25/12/2018', '2018-12-25'],
      ['25/12/2018', '2018-12-25'],
      ['12-01-19', '2019-01-12'],
    ],
  );
  assert.equal(parseDate('HC03-7 - 15'), null);
});

test('dates: impossible dates, codes and phone numbers are not dates', () => {
  assert.equal(parseDate('31/02/2018'), null);
  assert.equal(parseDate('2018-13-01'), null);
  assert.equal(parseDate('INVOICE NO : 18287/102/T0049'), null);
  assert.equal(parseDate('TEL 03-4162-2318'), null);
  assert.equal(parseDate('RM1.25 S'), null);
  assert.equal(parseDate('24-01.18'), null);
  assert.deepEqual(
    findDates('FROM 01/02/2019 TO 28/02/2019').map((d) => d.iso),
    ['2019-02-01', '2019-02-28'],
  );
  assert.ok(isValidIsoDate('2020-02-29'));
  assert.ok(!isValidIsoDate('2019-02-29'));
});

test('amounts: currency, grouping, accounting negatives', () => {
  const a = parseAmount('RM 1,234.50')!;
  assert.equal(a.value, 1234.5);
  assert.equal(a.currency, 'MYR');
  assert.equal(a.number, '1,234.50');
  assert.equal(a.decimals, 2);
  assert.equal(parseAmount('(12.00)')?.value, -12);
  assert.equal(parseAmount('-RM 0.02')?.value, -0.02);
  assert.equal(parseAmount('0.02-')?.value, -0.02);
  assert.equal(parseAmount('1.234,50')?.value, 1234.5);
  assert.equal(parseAmount('1 234,50')?.value, 1234.5);
  assert.equal(parseAmount('12,50 €')?.value, 12.5);
  assert.equal(parseAmount('12,50 €')?.currency, 'EUR');
  assert.equal(parseAmount('$8.20')?.symbol, '$');
  assert.equal(parseAmount('$8.20')?.currency, null);
  assert.equal(parseAmount('¥1,234')?.value, 1234);
  assert.equal(parseAmount('128元')?.currency, 'CNY');
  assert.equal(parseAmount('9.000')?.value, 9);
  assert.equal(parseAmount('1,234')?.value, 1234);
  assert.equal(parseAmount('(12.00'), null);
  assert.equal(parseAmount('TOTAL'), null);
  assert.equal(readNumber('1.2.3'), null);
  assert.equal(formatAmount(1234.5), '1234.50');
});

test('amounts: found inside receipt lines, codes and rates skipped', () => {
  const texts = (s: string) => findAmounts(s).map((a) => a.text);
  assert.deepEqual(texts('TOTAL AMOUNT: $8.20'), ['$8.20']);
  assert.deepEqual(texts('TOTAL RM 33.92'), ['RM 33.92']);
  assert.deepEqual(texts('1X 000007996511 75.00SR'), ['75.00']);
  assert.deepEqual(texts('LOT 1851-A & 1851-B'), []);
  assert.deepEqual(texts('9556939040116'), []);
  assert.deepEqual(texts('GST @6%: $0.46'), ['$0.46']);
  assert.deepEqual(texts('CASH RM 5.00 CHANGE RM 2.50'), ['RM 5.00', 'RM 2.50']);
  assert.deepEqual(
    findAmounts('ROUNDING ADJ -0.01').map((a) => a.value),
    [-0.01],
  );
  assert.deepEqual(
    findAmounts('CONFIRM 12.00').map((a) => a.currency),
    [null],
  );
});
