/**
 * Header layout and address clean-up rules on synthetic documents: a detection that holds two
 * printed lines is split by its word boxes, common address words misread by OCR are repaired, and
 * a period read for the comma before a postcode is turned back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BBox, Line } from '@ocrflow/core';
import { analyseBuiltin, toSroieFields } from '../src/index.ts';
import { collectLines, splitWrappedLine } from '../src/layout.lines.ts';
import { repairAddressWords } from '../src/address.words.ts';
import { completeInitials } from '../src/fields.header.ts';
import { docOf } from './doc.helpers.ts';

/** A line with word boxes; each word is `[text, x0, y0, x1, y1]`, in the recogniser's order. */
function wordLine(words: [string, number, number, number, number][]): Line {
  const ws = words.map(([text, ...b]) => ({ text, bbox: b as BBox, confidence: 0.9 }));
  const xs = ws.flatMap((w) => [w.bbox[0], w.bbox[2]]);
  const ys = ws.flatMap((w) => [w.bbox[1], w.bbox[3]]);
  const bbox: BBox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  return { text: ws.map((w) => w.text).join(' '), bbox, polygon: [], confidence: 0.9, words: ws };
}

// Two printed lines boxed as one, the lower one read first (a skewed scan).
const MERGED = wordLine([
  ['JALAN', 136, 187, 235, 240],
  ['KAPAR,', 233, 182, 337, 235],
  ['42200', 335, 178, 424, 230],
  ['KLANG.', 422, 173, 531, 226],
  ['NO.7', 187, 140, 279, 190],
  ['TAMAN', 281, 138, 380, 188],
  ['MAJU,', 382, 136, 470, 186],
]);

test('layout: a detection holding two printed lines is split where its words wrap back to the left', () => {
  const parts = splitWrappedLine(MERGED);
  assert.deepEqual(
    parts.map((p) => p.text),
    ['JALAN KAPAR, 42200 KLANG.', 'NO.7 TAMAN MAJU,'],
  );
  assert.deepEqual(parts[1].bbox, [187, 136, 470, 190]);
  // A line whose words run left to right stays whole, also when it slopes.
  const sloped = wordLine([
    ['TAMAN', 100, 100, 200, 140],
    ['MAJU', 205, 96, 290, 136],
    ['JAYA', 295, 92, 380, 132],
  ]);
  assert.equal(splitWrappedLine(sloped).length, 1);
  // Words that do not spell the line are not trusted.
  assert.equal(splitWrappedLine({ ...MERGED, text: 'SOMETHING ELSE' }).length, 1);
});

test('layout: the split lines are read top to bottom, so the address keeps its printed order', () => {
  const doc = docOf([
    ['KEDAI MAJU SDN BHD', 150, 60, 460, 110],
    ['TEL: 03-3362 4395', 200, 260, 420, 290],
    ['TAX INVOICE', 230, 300, 370, 330],
    ['DATE: 12/01/2019', 40, 360, 300, 390],
    ['TOTAL', 40, 420, 200, 450],
    ['9.00', 470, 420, 540, 450],
  ]);
  const block = doc.pages[0].blocks[0];
  if (block.type === 'table') throw new Error('docOf builds a text block');
  block.lines.splice(1, 0, MERGED);
  const lines = collectLines(doc).map((l) => l.text);
  assert.deepEqual(lines.slice(1, 3), ['NO.7 TAMAN MAJU,', 'JALAN KAPAR, 42200 KLANG.']);
  const a = analyseBuiltin(doc);
  assert.equal(toSroieFields(a).address, 'NO.7 TAMAN MAJU, JALAN KAPAR, 42200 KLANG.');
  assert.equal(toSroieFields(a).company, 'KEDAI MAJU SDN BHD');
});

test('address: common address words misread by OCR are repaired, names and numbers are not', () => {
  assert.equal(repairAddressWords('10T 1851-A, JALAN KPB 6'), 'LOT 1851-A, JALAN KPB 6');
  assert.equal(repairAddressWords('LEVE1 6, JAIAN SS21/39'), 'LEVEL 6, JALAN SS21/39');
  assert.equal(repairAddressWords('KLANG SELANGOR D.E, MALAYS IA'), 'KLANG SELANGOR D.E, MALAYSIA');
  assert.equal(repairAddressWords('(J0HOR)'), '(JOHOR)');
  // Numbers, codes and place names outside the vocabulary stay as recognised.
  assert.equal(repairAddressWords('101, JALAN U13/X, SE11A ALAM'), '101, JALAN U13/X, SE11A ALAM');
  assert.equal(repairAddressWords('LOT 5, TAMAN BUKIT'), 'LOT 5, TAMAN BUKIT');
  // Two words that are words on their own are not glued (`KUALA LUMPUR`).
  assert.equal(repairAddressWords('55100 KUALA LUMPUR'), '55100 KUALA LUMPUR');
  // Long words with a letter or two misread; short words and real neighbours stay.
  assert.equal(repairAddressWords('KAWASAN PERINDUSTLAN TAMPOI, SELANGGR'), 'KAWASAN PERINDUSTRIAN TAMPOI, SELANGOR');
  assert.equal(repairAddressWords('JALAN JOHAR, PULAI, MALAYSIAN'), 'JALAN JOHAR, PULAI, MALAYSIAN');
  // A dash read for the space after a street word; a dash inside a code stays.
  assert.equal(repairAddressWords('1851-B, JALAN-KPB 6, TAMAN-MAJU'), '1851-B, JALAN KPB 6, TAMAN MAJU');
  assert.equal(repairAddressWords('JALAN SS-21, LOT-5'), 'JALAN SS-21, LOT-5');
  // Title case as some receipts print it; lower-case text (handwriting, prose) is not folded.
  assert.equal(repairAddressWords('12, Jaian Tampoi 7/4,Kawasan Perindustlan'), '12, Jalan Tampoi 7/4,Kawasan Perindustrian');
  assert.equal(repairAddressWords('10t road'), '10t road');
});

test('address: a period read for the comma before a postcode is a comma again', () => {
  assert.equal(repairAddressWords('TAMAN DAYA. 81100 JOHOR BAHRU'), 'TAMAN DAYA, 81100 JOHOR BAHRU');
  assert.equal(repairAddressWords('KAWASAN TAMPOI.81200 JOHOR'), 'KAWASAN TAMPOI,81200 JOHOR');
  // After a number or before an amount or a longer number it is not a postcode's comma.
  assert.equal(repairAddressWords('NO.53 JALAN 5. 81100 JOHOR'), 'NO.53 JALAN 5. 81100 JOHOR');
  assert.equal(repairAddressWords('TOTAL. 12345.60'), 'TOTAL. 12345.60');
  assert.equal(repairAddressWords('TEL. 0312345678'), 'TEL. 0312345678');
  assert.equal(repairAddressWords('LOT NO. 12345, JALAN MAJU'), 'LOT NO. 12345, JALAN MAJU');
  assert.equal(repairAddressWords('Taman Daya. 81100 Johor'), 'Taman Daya, 81100 Johor');
});

test('header: `5/B` after a name is the legal form S/B, and a registration number that lost its parenthesis is dropped', () => {
  const doc = docOf([
    ['99 KEDAI MART 5/B 519537-X)', 120, 160, 480, 185],
    ['NO. 12, JALAN ANGSA,', 150, 190, 450, 210],
    ['41150 KLANG, SELANGOR', 150, 214, 450, 234],
    ['GST ID. NO : 000181747712', 150, 238, 450, 258],
    ['24-01-18', 40, 300, 160, 320],
    ['TOTAL', 40, 340, 200, 360],
    ['2.50', 470, 340, 540, 360],
  ]);
  const f = toSroieFields(analyseBuiltin(doc));
  assert.equal(f.company, '99 KEDAI MART S/B');
  assert.equal(f.address, 'NO. 12, JALAN ANGSA, 41150 KLANG, SELANGOR');
  // A `5/B` inside an address (a lot or street number) is not a legal form.
  const street = docOf([
    ['KEDAI MAJU SDN BHD', 120, 160, 480, 185],
    ['LOT 5/B, JALAN ANGSA 5/B 3,', 150, 190, 450, 210],
    ['41150 KLANG, SELANGOR', 150, 214, 450, 234],
  ]);
  const g = toSroieFields(analyseBuiltin(street));
  assert.equal(g.company, 'KEDAI MAJU SDN BHD');
  assert.equal(g.address, 'LOT 5/B, JALAN ANGSA 5/B 3, 41150 KLANG, SELANGOR');
});

test('company: a run of initials that lost some of its dots gets them all back', () => {
  assert.equal(completeInitials('MR. D.I Y (M) SDN BHD'), 'MR. D.I.Y. (M) SDN BHD');
  assert.equal(completeInitials('S.H.H MOTOR SDN. BHD.'), 'S.H.H. MOTOR SDN. BHD.');
  // Complete runs, runs without dots, two letters and words stay as printed.
  assert.equal(completeInitials('MR D.I.Y. (M) SDN BHD'), 'MR D.I.Y. (M) SDN BHD');
  assert.equal(completeInitials('A B C TRADING'), 'A B C TRADING');
  assert.equal(completeInitials('K.C LIM ENTERPRISE'), 'K.C LIM ENTERPRISE');
  assert.equal(completeInitials('ABC.D E F'), 'ABC.D E F');
});

test('address words: two fragments that spell a word once a look-alike letter is folded', () => {
  assert.equal(repairAddressWords('Jai an Bukit Bintang 55100'), 'Jalan Bukit Bintang 55100');
  assert.equal(repairAddressWords('KAMPUNG AH SENG 3'), 'KAMPUNG AH SENG 3');
  // A brand line above a street OCR split (`Jai an`) is the name; the street row is the address.
  const doc = docOf([
    ['TAX INVOICE', 200, 20, 400, 50],
    ['SERI MAWAR MART', 180, 70, 420, 100],
    ['Jai an Kebun Nenas 12', 150, 104, 450, 134],
    ['41100 Klang', 220, 138, 380, 168],
    ['Selangor', 240, 172, 360, 202],
    ['CO. REG. NO: 001234567-K', 170, 220, 430, 250],
    ['DATE: 02/03/2019', 40, 300, 260, 330],
    ['TOTAL', 40, 400, 200, 430],
    ['12.00', 440, 400, 540, 430],
  ]);
  const f = toSroieFields(analyseBuiltin(doc));
  assert.equal(f.company, 'SERI MAWAR MART');
  assert.equal(f.address, 'Jalan Kebun Nenas 12 41100 Klang Selangor');
});

test('company: a shop sign without a legal form gives way to the legal owner named in the footer', () => {
  const sign: [string, number, number, number, number][] = [
    ['KOPI KAMPUNG CORNER', 150, 20, 450, 60],
    ['12, Jalan Mawar 3, Taman Sentosa', 120, 66, 480, 90],
    ['41200 Klang, Selangor', 180, 94, 420, 118],
    ['DATE: 02/03/2019', 40, 160, 260, 190],
    ['TOTAL', 40, 400, 200, 430],
    ['12.00', 440, 400, 540, 430],
    ['THANK YOU', 220, 480, 380, 510],
  ];
  const owned = docOf([...sign, ['Operated by: Sentosa Kopi Holdings Sdn Bhd', 100, 540, 500, 570]]);
  assert.equal(toSroieFields(analyseBuiltin(owned)).company, 'Sentosa Kopi Holdings Sdn Bhd');
  // Without an owner's label the sign stays; a name with its legal form in the header is not replaced.
  assert.equal(toSroieFields(analyseBuiltin(docOf(sign))).company, 'KOPI KAMPUNG CORNER');
  const legal = docOf([
    ['KOPI KAMPUNG SDN BHD', 150, 20, 450, 60],
    ...sign.slice(1),
    ['Owned by', 220, 540, 380, 570],
    ['Sentosa Kopi Holdings Sdn Bhd', 120, 574, 480, 604],
  ]);
  assert.equal(toSroieFields(analyseBuiltin(legal)).company, 'KOPI KAMPUNG SDN BHD');
});
