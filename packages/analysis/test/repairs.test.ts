/**
 * The general repairs of names and addresses, each checked on OCR text of sroie-dev receipts it was
 * NOT written on (the receipt a string comes from is named; the rules were written on the errors of
 * other receipts, see docs/analysis.md "Method"). Where no second real receipt shows a slip, the
 * input is made up and says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repairAddressWords } from '../src/address.words.ts';
import { repairCompanyWords } from '../src/company.words.ts';
import { addressAfterName, cleanCompany } from '../src/fields.header.ts';
import { analyseBuiltin, toSroieFields, validateAnalysis } from '../src/index.ts';
import { fitIsotonic, calibrate, CHECK_BELOW } from '../src/confidence.calibrate.ts';
import { mostlyLowerCase } from '../src/text.cues.ts';
import { docOf } from './doc.helpers.ts';

test('address: a period between the parts of an address is the comma OCR misread (sroie-075, 110, 130, 174)', () => {
  assert.equal(repairAddressWords('No 7. Simpang Off Batu Village'), 'No 7, Simpang Off Batu Village');
  assert.equal(repairAddressWords('LOT 1-0-2. JLN 1/50'), 'LOT 1-0-2, JLN 1/50');
  assert.equal(repairAddressWords('TAMAN DATO AHMAD RAZALI. JALAN AMPANG'), 'TAMAN DATO AHMAD RAZALI, JALAN AMPANG');
  // Without a space only after a number or before an address word.
  assert.equal(repairAddressWords('NO.32& 33.JALAN SR 1/9. SEKSYEN 9.'), 'NO.32& 33,JALAN SR 1/9, SEKSYEN 9.');
  // Abbreviations, titles, domains and the final period keep theirs (sroie-020, 130, 185).
  assert.equal(repairAddressWords('SYL ROASTED DELIGHTS SDN. BHD.'), 'SYL ROASTED DELIGHTS SDN. BHD.');
  assert.equal(repairAddressWords('IVAN_KONG12@HOTMAIL.COM'), 'IVAN_KONG12@HOTMAIL.COM');
  assert.equal(repairAddressWords('MrS. ONG GUAT CHYE'), 'MrS. ONG GUAT CHYE');
  assert.equal(repairAddressWords('NO. 1, JALAN MAJU, 53000 KUALA LUMPUR.'), 'NO. 1, JALAN MAJU, 53000 KUALA LUMPUR.');
});

test('address: a six-letter word with a look-alike letter is repaired, a real neighbour word is not (sroie-166, 185)', () => {
  assert.equal(repairAddressWords('51200 KUALA LUMFUR'), '51200 KUALA LUMPUR');
  // BORONG (wholesale) is one letter from LORONG, but B and L are not alike: a word of its own.
  assert.equal(repairAddressWords('PASARAYA BORONG SUPER SEVEN'), 'PASARAYA BORONG SUPER SEVEN');
  // Long words as before (sroie-070, sroie-035).
  assert.equal(repairAddressWords('41150 KLANG, SCLANGOR'), '41150 KLANG, SELANGOR');
  assert.equal(repairAddressWords('12, Jalan Tampoi 7/4,Kawasan Perindustlan'), '12, Jalan Tampoi 7/4,Kawasan Perindustrian');
});

test('address: a letter read for a digit inside a number or a postcode (sroie-193; postcode made up)', () => {
  assert.equal(repairAddressWords('No 8, Jalan 7/1l8B, Desa Tun Razak'), 'No 8, Jalan 7/118B, Desa Tun Razak');
  assert.equal(repairAddressWords('JALAN MAJU 3, 401Z0 SHAH ALAM'), 'JALAN MAJU 3, 40120 SHAH ALAM');
  // Codes with a letter of their own keep it: at an end, not between digits.
  assert.equal(repairAddressWords('NO. 17-G, JALAN U13/X, 40170 SHAH ALAM'), 'NO. 17-G, JALAN U13/X, 40170 SHAH ALAM');
  assert.equal(repairAddressWords('LOT 2A, SS21/1A'), 'LOT 2A, SS21/1A');
});

test('address: words glued or cut by a speck (made up: no other receipt shows these slips)', () => {
  assert.equal(repairAddressWords('81100 JOHORBAHRU'), '81100 JOHOR BAHRU');
  assert.equal(repairAddressWords('NO 5, JAL.AN MAJU'), 'NO 5, JALAN MAJU');
  assert.equal(repairAddressWords('NO 5, Ja lan Maju'), 'NO 5, Jalan Maju');
  // A real word is never split: PUTRAJAYA is one.
  assert.equal(repairAddressWords('62000 PUTRAJAYA'), '62000 PUTRAJAYA');
});

test('company: trade words and the legal form one letter off, owner labels, specks (sroie-185, sroie-070; others made up)', () => {
  assert.equal(repairCompanyWords('FASARAYA BORONG SUPER SEVEN'), 'PASARAYA BORONG SUPER SEVEN');
  assert.equal(repairCompanyWords('9 SPEED MART S/D'), '9 SPEED MART S/B');
  assert.equal(repairCompanyWords('KEDAI MAJU S0N BHD'), 'KEDAI MAJU SDN BHD');
  assert.equal(repairCompanyWords('KEDAI MAJU SDN EHU'), 'KEDAI MAJU SDN BHD');
  assert.equal(repairCompanyWords('Owned by: Kedai Maju Sdn Bhd'), 'Kedai Maju Sdn Bhd');
  assert.equal(repairCompanyWords('MAJU HARDWARE. TRADING'), 'MAJU HARDWARE TRADING');
  // Names, short words and abbreviations are left alone.
  assert.equal(repairCompanyWords('POPULAR BOOK CO. (M) SDN BHD'), 'POPULAR BOOK CO. (M) SDN BHD');
  assert.equal(repairCompanyWords('SON OF KEDAI'), 'SON OF KEDAI');
});

test('company: a registration number after the legal form ends the name, whatever OCR joined after it (made up: sroie-187 showed it)', () => {
  assert.equal(cleanCompany('KEDAI MAJU SDN BHD (123456-K), B-1-2, PLAZA MERAH,'), 'KEDAI MAJU SDN BHD');
  assert.equal(cleanCompany('KEDAI MAJU SDN BHD 123456-K LOT 5'), 'KEDAI MAJU SDN BHD');
  // A name whose legal form is followed by a branch in parentheses keeps it.
  assert.equal(cleanCompany('KEDAI MAJU SDN BHD (BANGSAR)'), 'KEDAI MAJU SDN BHD (BANGSAR)');
});

test('company: a 1 among capitals is the letter I, codes and numbered branches keep their digit (made up: sroie-187 showed it)', () => {
  assert.equal(repairCompanyWords('SUNR1SE BAKERY'), 'SUNRISE BAKERY');
  assert.equal(repairCompanyWords('1DEAL HOME SDN BHD'), 'IDEAL HOME SDN BHD');
  assert.equal(repairCompanyWords('MART GS1 CT281 COUNTER1'), 'MART GS1 CT281 COUNTER1');
  assert.equal(repairCompanyWords('1PC SHOP'), '1PC SHOP');
});

test('header: the address begun on the row of the name after the registration number (made up: sroie-187 showed it)', () => {
  const doc = docOf([
    ['MAJU JAYA SDN BHD (654321-T), B-1-O2, PLAZA MERAH,', 60, 100, 560, 130],
    ['JALAN AMAN 4, TAMAN SENTOSA,', 110, 138, 500, 160],
    ['68000 AMPANG, SELANGOR', 140, 166, 470, 188],
    ['TEL: 03-4142 1234', 200, 196, 400, 216],
    ['TAX INVOICE', 230, 230, 370, 250],
  ]);
  const f = toSroieFields(analyseBuiltin(doc));
  assert.equal(f.company, 'MAJU JAYA SDN BHD');
  // The unit number's part `O2` is `02`.
  assert.equal(f.address, 'B-1-02, PLAZA MERAH, JALAN AMAN 4, TAMAN SENTOSA, 68000 AMPANG, SELANGOR');
  assert.equal(addressAfterName('MAJU JAYA SDN BHD (654321-T)'), '');
  assert.equal(addressAfterName('MAJU JAYA SDN BHD GST NO: 000123456789'), '');
  assert.equal(addressAfterName('MAJU JAYA SDN BHD 2019, YOUR FRIEND'), '');
  assert.equal(repairAddressWords('LOT G-OK, NO O6 JALAN'), 'LOT G-OK, NO O6 JALAN');
});

test('header: a row holding only the legal form ends the name above it (rows of sroie-072)', () => {
  const doc = docOf(
    [
      ['POPULAR BOOK', 171, 120, 691, 182],
      ['CO. (M) SDN BHD', 126, 196, 781, 273],
      ['(Co. No. 113825-W)', 237, 282, 631, 323],
      ['(GST Reg No. 001492992000)', 151, 334, 718, 372],
      ['No 8, Jalan 7/118B, Desa Tun Razak', 61, 384, 804, 419],
      ['56000 Kuala Lumpur, Malaysia', 127, 435, 738, 470],
      ['SUNWAY VELOCITY', 258, 484, 587, 518],
      ['Te1:03-9201 6281/6920', 192, 581, 697, 618],
    ],
    [932, 2683],
  );
  const f = toSroieFields(analyseBuiltin(doc));
  assert.equal(f.company, 'POPULAR BOOK CO. (M) SDN BHD');
  // The country ends the address: the mall's name under it is not part of it.
  assert.equal(f.address, 'No 8, Jalan 7/118B, Desa Tun Razak 56000 Kuala Lumpur, Malaysia');
});

test('header: a glued GSTID line and a labelled number end the header blocks (rows of sroie-075, sroie-170)', () => {
  const doc = docOf([
    ['KEDAI MAJU SDN BHD', 120, 40, 480, 80],
    ['NO.32 & 33, JALAN SR 1/9,', 150, 90, 450, 110],
    ['43300 SERI KEMBANGAN, SELANGOR', 130, 115, 470, 135],
    ['GSTID :002139201536', 150, 140, 450, 160],
    ['Receipt No: 57269', 150, 165, 450, 185],
  ]);
  const a = analyseBuiltin(doc);
  assert.equal(a.fields.address?.value, 'NO.32 & 33, JALAN SR 1/9, 43300 SERI KEMBANGAN, SELANGOR');
  assert.equal(a.fields.company?.value, 'KEDAI MAJU SDN BHD');
});

test('title case is print, lower-case words are handwriting', () => {
  assert.equal(mostlyLowerCase("Nando' s Chickenland Malaysia"), false);
  assert.equal(mostlyLowerCase('Sdn Bhd'), false);
  assert.equal(mostlyLowerCase('thank you come again'), true);
});

test('calibration: isotonic steps never fall as the score rises, small blocks do not claim certainty', () => {
  const pts = [
    { score: 0, right: false },
    { score: 1, right: true },
    { score: 2, right: false },
    { score: 3, right: true },
    { score: 4, right: true },
    { score: 5, right: true },
  ];
  const steps = fitIsotonic(pts);
  for (let i = 1; i < steps.length; i++) assert.ok(steps[i].p >= steps[i - 1].p);
  // 0 → (0 + .5) / 2; 1 and 2 pooled (1 of 2 right) → 0.5; 3..5 → (3 + .5) / 4.
  assert.deepEqual(steps, [
    { score: 0, p: 0.25 },
    { score: 1, p: 0.5 },
    { score: 3, p: 0.875 },
  ]);
  assert.equal(calibrate(steps, -5), 0.25);
  assert.equal(calibrate(steps, 2.5), 0.5);
  assert.equal(calibrate(steps, 99), 0.88);
});

test('calibration: key fields carry check below the threshold, and the analysis stays valid', () => {
  const doc = docOf([
    ['KEDAI RUNCIT MAJU SDN BHD', 120, 40, 480, 80],
    ['NO. 12, JALAN BUNGA RAYA 3,', 150, 115, 450, 135],
    ['TAMAN MELATI, 53100 KUALA LUMPUR', 130, 140, 470, 160],
    ['DATE: 12/01/2019 10:15', 40, 285, 300, 305],
    ['TOTAL', 40, 340, 200, 360],
    ['21.30', 470, 340, 540, 360],
  ]);
  const a = analyseBuiltin(doc);
  assert.ok(validateAnalysis(a).ok);
  for (const k of ['company', 'date', 'address', 'total'] as const) {
    const f = a.fields[k]!;
    assert.equal(f.check, f.confidence < CHECK_BELOW, k);
  }
  // Uncalibrated: the raw evidence, and no check mark.
  const raw = analyseBuiltin(doc, { calibration: null });
  assert.equal(raw.fields.company?.check, undefined);
});
