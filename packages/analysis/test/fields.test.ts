/**
 * Field rules on hand-built layouts: each case isolates one rule (label proximity, the payment
 * arithmetic, header scoring) that the real-receipt tests exercise only incidentally.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseBuiltin, toSroieFields, amountAsPrinted } from '../src/index.ts';
import { classifyLabel } from '../src/fields.labels.ts';
import { findAmounts } from '../src/normalize.amount.ts';
import { tidyText } from '../src/text.cues.ts';
import { docOf, RECEIPT } from './doc.helpers.ts';

type Entry = [string, number, number, number, number];
/** Label at the left, amount at the right of the same row, 30 px per row from `y`. */
const rowsOf = (pairs: [string, string][], y: number): Entry[] =>
  pairs.flatMap(([label, amount], i) => [
    [label, 40, y + 30 * i, 260, y + 30 * i + 20] as Entry,
    ...(amount ? [[amount, 440, y + 30 * i, 540, y + 30 * i + 20] as Entry] : []),
  ]);
const HEADER: Entry[] = [
  ['SYARIKAT MAJU JAYA SDN BHD', 120, 20, 480, 56],
  ['LOT 5, JALAN INDUSTRI 2,', 150, 64, 450, 82],
  ['47500 SUBANG JAYA, SELANGOR', 140, 86, 460, 104],
  ['TEL: 03-5555 1234', 200, 108, 400, 126],
  ['DATE: 03/02/2019', 40, 140, 260, 160],
];

test('labels: what each announces, OCR slips folded', () => {
  const kind = (s: string) => classifyLabel(s)?.kind ?? null;
  assert.deepEqual(
    [
      'ROUND D TOTAL (RM):',
      'T0TAL',
      'TotalGST :',
      'Total Salos(lnclusiv of GST) :',
      'SUB-fOTAL (GST)',
      'TOTAL EXCL. OF GST',
      'Total Qty',
      'CASH TENDERED',
      'CHANGE DUE',
      'Serv Charge 10%',
      'ROUNDING ADJ',
      '合计',
      '费用合计',
      'TAX INVOICE',
    ].map(kind),
    ['total', 'total', 'tax', 'total', 'subtotal', 'subtotal', 'other', 'cash', 'change', null, 'rounding', 'total', 'total', null],
  );
  assert.ok(classifyLabel('TOTAL ROUNDED')!.strength > classifyLabel('NETT TOTAL')!.strength);
  assert.ok(classifyLabel('NETT TOTAL')!.strength > classifyLabel('TOTAL INCL. GST')!.strength);
  assert.ok(classifyLabel('TOTAL INCL. GST')!.strength > classifyLabel('TOTAL')!.strength);
});

test('amounts: OCR spaces inside a printed amount', () => {
  assert.deepEqual(
    findAmounts('TOTAL ROUNDED RM 30 .90').map((a) => [a.value, a.decimals]),
    [[30.9, 2]],
  );
  assert.deepEqual(
    findAmounts('CASH 4.9 0').map((a) => [a.value, a.decimals]),
    [[4.9, 2]],
  );
  assert.equal(amountAsPrinted('RM 30 .90'), '30.90');
  assert.equal(amountAsPrinted('15 3.35'), '153.35');
  assert.equal(amountAsPrinted('$8.20'), '$8.20');
  assert.equal(amountAsPrinted('MYR 1,234.50'), '1,234.50');
});

test('names and addresses: typographic clean-up of OCR text', () => {
  assert.deepEqual(
    [
      'MR D . I .Y . （ JOHOR ) SDN BHD',
      'L0T 1851-A, J0HOR',
      'AEON C0. （M) BHD',
      'NO.50 , JALAN PBS 14/11 ,',
      "LOT ' 2685 JLN",
      'SELANGOR D. E, MALAYSIA',
      'UNIHAKKA INTERNATIONAL·SDN BHD',
      "D'SARA",
      'A0123',
    ].map(tidyText),
    [
      'MR D.I.Y. (JOHOR) SDN BHD',
      'LOT 1851-A, JOHOR',
      'AEON CO. (M) BHD',
      'NO.50, JALAN PBS 14/11,',
      'LOT 2685 JLN',
      'SELANGOR D.E, MALAYSIA',
      'UNIHAKKA INTERNATIONAL SDN BHD',
      "D'SARA",
      'A0123',
    ],
  );
});

test('total: the payment arithmetic picks the right reading of a split number', () => {
  const doc = docOf([
    ...HEADER,
    ...rowsOf(
      [
        ['SUB-TOTAL (EX)', '144.68'],
        ['TOTAL TAX', '8.68'],
        ['ROUNDING', '-0.01'],
        ['TOTAL', '15 3.35'],
        ['CASH', '153.35'],
        ['CHANGE', '0.00'],
      ],
      200,
    ),
  ]);
  const a = analyseBuiltin(doc);
  assert.equal(a.fields.total?.value, 153.35);
  assert.equal(toSroieFields(a).total, '153.35');
  assert.equal(a.fields.subtotal?.value, 144.68);
  assert.equal(a.fields.tax?.value, 8.68);
});

test('total: a decimal point OCR read as a dash, confirmed by cash − change', () => {
  const doc = docOf([
    ...HEADER,
    ...rowsOf(
      [
        ['TOTAL RM 14-10', ''],
        ['CASH RM 20.00', ''],
        ['CHANGE RM 5.90', ''],
      ],
      200,
    ),
  ]);
  const a = analyseBuiltin(doc);
  assert.equal(a.fields.total?.value, 14.1);
  assert.equal(toSroieFields(a).total, '14.10');
});

test('total: a dash between the currency and the total is a separator; a total paid exactly shows on the cash line (made up: sroie-192, sroie-181 showed it)', () => {
  const dashed = analyseBuiltin(
    docOf([
      ...HEADER,
      ...rowsOf(
        [
          ['ITEMS : 2', ''],
          ['TOTAL INCL. GST@6% RM - 21.20', ''],
          ['CASH RM 50.00', ''],
          ['CHANGE RM 28.80', ''],
        ],
        200,
      ),
    ]),
  );
  assert.equal(dashed.fields.total?.value, 21.2);
  assert.equal(toSroieFields(dashed).total, '21.20');
  const exact = analyseBuiltin(
    docOf([
      ...HEADER,
      ...rowsOf(
        [
          ['PPF P1 1.000 12', '12.00'],
          ['TOTAL AMOUNT', ''],
          ['CASH RM 12.00', ''],
        ],
        200,
      ),
    ]),
  );
  assert.equal(exact.fields.total?.value, 12);
  // With a change line the cash is not the total: nothing is guessed.
  const withChange = analyseBuiltin(
    docOf([
      ...HEADER,
      ...rowsOf(
        [
          ['TOTAL AMOUNT', ''],
          ['CASH RM 20.00', ''],
          ['CHANGE RM 3.00', ''],
        ],
        200,
      ),
    ]),
  );
  assert.notEqual(withChange.fields.total?.value, 20);
});

test('total: a garbled total label is recovered from subtotal + tax = cash − change', () => {
  const doc = docOf([
    ...HEADER,
    ...rowsOf(
      [
        ['Sub Total', 'RM 68.87'],
        ['GST/TAX 6%', 'RM 4.13'],
        ['TOT" RM', '73.00'],
        ['CA.. RM', '73.00'],
        ['CHANGE: RM', '0.00'],
      ],
      200,
    ),
  ]);
  const a = analyseBuiltin(doc);
  assert.equal(a.fields.total?.value, 73);
  assert.deepEqual(a.fields.total?.bbox, [440, 260, 540, 280]);
});

test('total: a service charge is not the change, a tax summary total after the payment is not the total', () => {
  const doc = docOf([
    ...HEADER,
    ...rowsOf(
      [
        ['SUBTOTAL', '79.60'],
        ['DISCOUNT', '-30.00'],
        ['Total Amount :', '49.60'],
        ['Serv Charge 10%', '4.96'],
        ['GST @ 6%', '3.27'],
        ['Rounding Adj :', '-0.03'],
        ['Total Amount:', '57.80'],
        ['TOTAL:', 'RM 57.80'],
        ['CASH', '60.00'],
        ['CHANGE', '2.20'],
        ['GST SUMMARY', ''],
        ['TOTAL :', '54.56'],
      ],
      200,
    ),
  ]);
  const a = analyseBuiltin(doc);
  assert.equal(a.fields.total?.value, 57.8);
  assert.equal(toSroieFields(a).total, '57.80');
});

test('total: an unrounded total, its rounding adjustment and the rounded figure on its own row', () => {
  const doc = docOf([
    ...HEADER,
    ...rowsOf(
      [
        ['TOTAL AMT......... RM', '60.31'],
        ['ROUNDING ADJ......', '-0.01'],
        ['RM', '60.30'],
        ['CASH....... RM', '70.30'],
        ['CHANGE..... RM', '10.00'],
      ],
      200,
    ),
  ]);
  assert.equal(analyseBuiltin(doc).fields.total?.value, 60.3);
});

test('header: the name above the address wins over a large stamp above it, a registration number is dropped', () => {
  const doc = docOf([
    ['tan woon yann', 100, 20, 380, 70],
    ['99 SPEED MART S/B (519537-X)', 120, 160, 480, 185],
    ['LOT P.T. 2811, JALAN ANGSA,', 150, 190, 450, 210],
    ['TAMAN BERKELEY', 150, 214, 450, 234],
    ['41150 KLANG, SELANGOR', 150, 238, 450, 258],
    ['GST ID. NO : 000181747712', 150, 262, 450, 282],
    ['INVOICE NO : 18287/102/T0049', 40, 300, 400, 320],
    ['24-01-18', 40, 330, 160, 350],
    ...rowsOf(
      [
        ['TOTAL SALES (INCLUSIVE GST) RM', '2.50'],
        ['CASH RM', '5.00'],
        ['CHANGE RM', '2.50'],
      ],
      400,
    ),
  ]);
  const f = toSroieFields(analyseBuiltin(doc));
  assert.deepEqual(f, {
    company: '99 SPEED MART S/B',
    date: '24-01-18',
    address: 'LOT P.T. 2811, JALAN ANGSA, TAMAN BERKELEY 41150 KLANG, SELANGOR',
    total: '2.50',
  });
});

test('header: a name ends with its legal form when OCR merged the next line into it', () => {
  const doc = docOf([
    ['LIGHTROOM GALLERY SDN BHD No: 28, JALAN ASTANA 1C,', 100, 20, 500, 80],
    ['BANDAR BUKIT RAJA, 41050 KLANG', 150, 84, 450, 104],
    ['GST No. : 000584089600', 150, 108, 450, 128],
    ...rowsOf(
      [
        ['TOTAL', '73.00'],
        ['CASH', '73.00'],
        ['CHANGE', '0.00'],
      ],
      200,
    ),
  ]);
  assert.equal(analyseBuiltin(doc).fields.company?.value, 'LIGHTROOM GALLERY SDN BHD');
});

test('synthetic receipt: every field and its box', () => {
  const a = analyseBuiltin(RECEIPT);
  assert.equal(a.kind, 'receipt');
  assert.equal(a.fields.company?.value, 'KEDAI RUNCIT MAJU SDN BHD');
  assert.deepEqual(a.fields.company?.bbox, [120, 40, 480, 80]);
  assert.equal(a.fields.address?.value, 'NO. 12, JALAN BUNGA RAYA 3, TAMAN MELATI, 53100 KUALA LUMPUR');
  assert.deepEqual(a.fields.address?.bbox, [130, 115, 470, 160]);
  assert.deepEqual([a.fields.date?.value, a.fields.date?.normalized], ['12/01/2019', '2019-01-12']);
  assert.deepEqual([a.fields.total?.value, a.fields.total?.currency], [22.55, 'MYR']);
  assert.equal(a.fields.subtotal?.value, 21.3);
  assert.equal(a.fields.tax?.value, 1.28);
  assert.equal(a.fields.invoice_number?.value, 'INV-2019-00042');
  assert.equal(a.fields.phone?.normalized, '0341421234');
  assert.equal(a.fields.currency?.value, 'MYR');
  assert.deepEqual(
    a.fields.parties?.map((p) => [p.role, p.value]),
    [['seller', 'KEDAI RUNCIT MAJU SDN BHD']],
  );
});

test('kind: an invoice asks for payment, a report is prose and tables', () => {
  const invoice = docOf(
    [
      ['ACME TRADING LTD', 40, 20, 300, 50],
      ['INVOICE', 400, 20, 560, 50],
      ['Invoice No: 2024-0117', 40, 80, 300, 100],
      ['Bill To: Example Corp', 40, 110, 300, 130],
      ['Due Date: 2024-02-15', 40, 140, 300, 160],
      ['Payment terms: 30 days', 40, 170, 300, 190],
      ['Amount due', 40, 220, 200, 240],
      ['1,250.00', 440, 220, 540, 240],
    ],
    [600, 800],
  );
  const a = analyseBuiltin(invoice);
  assert.equal(a.kind, 'invoice');
  assert.equal(a.fields.total?.value, 1250);
  assert.equal(a.fields.invoice_number?.value, '2024-0117');
  assert.deepEqual(
    a.fields.parties?.map((p) => [p.role, p.value]),
    [
      ['seller', 'ACME TRADING LTD'],
      ['buyer', 'Example Corp'],
    ],
  );
  assert.equal(a.fields.date?.normalized, '2024-02-15');
  const report = docOf(
    [
      ['Quarterly Service Report', 40, 20, 500, 50],
      ['1. Summary of the operations carried out during the period under review', 40, 70, 560, 90],
      ['The results show that response times improved compared with the previous quarter overall', 40, 95, 560, 115],
      ['2. Conclusions and the recommendations for the next reporting period of the contract', 40, 120, 560, 140],
    ],
    [600, 800],
  );
  assert.equal(analyseBuiltin(report).kind, 'report');
});
