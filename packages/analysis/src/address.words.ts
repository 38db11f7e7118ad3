/**
 * Repair of the common words of an address that OCR misread: addresses are built from a small
 * vocabulary (street words, Malay place-name words, state and country names), so a token that is
 * not such a word but reads as exactly one of them once look-alike glyphs are folded (`10T` → LOT,
 * `LEVE1` → LEVEL, `JAIAN` → JALAN), or two fragments that only together spell one (`MALAYS IA` →
 * MALAYSIA), is that word. Names of places and shops are left alone: they are open-ended, and a
 * fold into them would be a guess.
 */
import { editDistance } from './fields.labels.ts';

/** Single-token address words (MY/SG/UK/US): street kinds, generic Malay place words, states, countries. */
const WORDS = [
  // Street and building words.
  'JALAN',
  'LORONG',
  'TAMAN',
  'LOT',
  'BATU',
  'KAMPUNG',
  'PERSIARAN',
  'LEBUH',
  'LEBUHRAYA',
  'BANDAR',
  'KAWASAN',
  'PERINDUSTRIAN',
  'SEKSYEN',
  'SECTION',
  'PUSAT',
  'WISMA',
  'MENARA',
  'BANGUNAN',
  'ROAD',
  'STREET',
  'AVENUE',
  'BOULEVARD',
  'LANE',
  'DRIVE',
  'HIGHWAY',
  'FLOOR',
  'LEVEL',
  'BLOCK',
  'UNIT',
  'SUITE',
  'BUILDING',
  'PLAZA',
  'MALL',
  'COMPLEX',
  'INDUSTRIAL',
  'ESTATE',
  'PARK',
  'SQUARE',
  // Generic Malay place-name words (new, north, south, …).
  'JAYA',
  'BARU',
  'BAHRU',
  'UTARA',
  'SELATAN',
  'TIMUR',
  'BARAT',
  'INDAH',
  'PERDANA',
  'UTAMA',
  'TENGAH',
  // Malaysian states, their honorifics, countries.
  'JOHOR',
  'SELANGOR',
  'KUALA',
  'LUMPUR',
  'PUTRAJAYA',
  'PERAK',
  'PENANG',
  'PULAU',
  'PINANG',
  'KEDAH',
  'KELANTAN',
  'TERENGGANU',
  'PAHANG',
  'MELAKA',
  'MALACCA',
  'NEGERI',
  'SEMBILAN',
  'SABAH',
  'SARAWAK',
  'PERLIS',
  'LABUAN',
  'DARUL',
  'EHSAN',
  'TAKZIM',
  'MAKMUR',
  'RIDZUAN',
  'MALAYSIA',
  'SINGAPORE',
  'INDONESIA',
  'THAILAND',
];
const WORD_SET = new Set(WORDS);

/** Glyphs the recogniser confuses on receipt fonts, folded to one representative. */
function fold(t: string): string {
  return t
    .replace(/[1IL|!]/g, 'I')
    .replace(/[0OQ]/g, 'O')
    .replace(/5/g, 'S')
    .replace(/8/g, 'B')
    .replace(/2/g, 'Z')
    .replace(/6/g, 'G');
}

/** Folded form → the one word it stands for (forms shared by two words are ambiguous and dropped). */
const BY_FOLD = (() => {
  const m = new Map<string, string | null>();
  for (const w of WORDS) m.set(fold(w), m.has(fold(w)) ? null : w);
  return m;
})();

/**
 * The word a misread token stands for, or null. Numbers stay numbers (a token needs a letter), and
 * codes such as `1851A` or `U13` fold to no word of the vocabulary.
 */
function repairToken(core: string): string | null {
  if (core.length < 3 || WORD_SET.has(core) || !/[A-Z]/.test(core) || !/^[A-Z0-9|!]+$/.test(core)) return null;
  const folded = BY_FOLD.get(fold(core));
  if (folded) return folded;
  return nearLongWord(core);
}

/**
 * A long vocabulary word with one or two letters misread (`PERINDUSTLAN`, `SELANG0R`, `LUMFUR`):
 * long words have no real neighbours that close, whereas short ones do (`PULAU`/`PULAI`,
 * `JOHOR`/`JOHAR` are places and names of their own), so only words of 6 letters or more are
 * corrected, by one misread letter (a look-alike one below 8 letters), or two edits from 12
 * letters, and only when exactly one word is that close.
 */
function nearLongWord(core: string): string | null {
  if (core.length < 6 || !/^[A-Z]+$/.test(core)) return null;
  let hit: string | null = null;
  for (const w of LONG_WORDS) {
    // Below 12 letters a misread letter, not a lost or extra one (`MALAYSIAN` is a word of its own);
    // six- and seven-letter words only when the letters around the slip agree (`LUMFUR`, `SAKSYEN`).
    const max = w.length >= 12 ? 2 : 1;
    if (max === 1 ? w.length !== core.length : Math.abs(w.length - core.length) > max) continue;
    if (w.length < 8 && !lookAlikeSlip(core, w)) continue;
    if (editDistance(core, w, max) <= max) {
      if (hit && hit !== w) return null;
      hit = w;
    }
  }
  return hit;
}
const LONG_WORDS = WORDS.filter((w) => w.length >= 6);

/** Letters a receipt printer's faded dots make alike. */
const LOOK_ALIKE = ['PF', 'EF', 'AE', 'OCDQ', 'ILT', 'BR', 'MNH', 'UV', 'GC'];

/**
 * A six- or seven-letter word is repaired only when its one wrong letter is a look-alike of the
 * right one (`LUMFUR`, `SAKSYEN`); `BORONG` (wholesale) is a word, not a misread `LORONG`.
 */
function lookAlikeSlip(token: string, word: string): boolean {
  if (token.length !== word.length) return false;
  let slip = -1;
  for (let i = 0; i < word.length; i++) {
    if (token[i] === word[i]) continue;
    if (slip >= 0) return false;
    slip = i;
  }
  return slip >= 0 && LOOK_ALIKE.some((set) => set.includes(token[slip]) && set.includes(word[slip]));
}

const TOKEN = /^([("'`]*)(.*?)([)\].,:;'`]*)$/;

/** An address value with its misread common words repaired; everything else is kept as it is. */
export function repairAddressWords(value: string): string {
  const tokens = value.split(' ');
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const [, pre, core, post] = TOKEN.exec(tokens[i])!;
    const next = tokens[i + 1];
    // Two fragments of one word: `MALAYS IA`, `Ja lan`, also with a look-alike letter (`Ja ian`).
    // Only when neither fragment is itself a word.
    if (next && !post && /^[A-Za-z]+$/.test(core)) {
      const [, npre, ncore, npost] = TOKEN.exec(next)!;
      const joined = (core + ncore).toUpperCase();
      const word = WORD_SET.has(joined) ? joined : repairToken(joined);
      if (!npre && /^[A-Za-z]+$/.test(ncore) && word && !WORD_SET.has(core.toUpperCase()) && !WORD_SET.has(ncore.toUpperCase())) {
        const asPrinted = word === joined ? core + ncore : /[a-z]/.test(core + ncore) ? word[0] + word.slice(1).toLowerCase() : word;
        out.push(pre + asPrinted + npost);
        i++;
        continue;
      }
    }
    // The same with a speck read as a period inside the word (`JA.LAN`), or two words glued (`DARULEHSAN`).
    const inner = /^([A-Za-z]+)\.([A-Za-z]+)$/.exec(core);
    if (inner && WORD_SET.has((inner[1] + inner[2]).toUpperCase()) && !WORD_SET.has(inner[1].toUpperCase()) && !WORD_SET.has(inner[2].toUpperCase())) {
      out.push(pre + inner[1] + inner[2] + post);
      continue;
    }
    const glued = splitGlued(core);
    if (glued) {
      out.push(pre + glued + post);
      continue;
    }
    // Printed capitals or title case (`Perindustlan`); all lower case is handwriting or prose.
    const title = /^[A-Z][a-z0-9|!]+$/.test(core);
    const fixed = repairToken(core.toUpperCase() === core || title ? core.toUpperCase() : '');
    const cased = fixed && title ? fixed[0] + fixed.slice(1).toLowerCase() : fixed;
    out.push(cased ? pre + cased + post : tokens[i]);
  }
  return commaBetweenParts(commaBeforePostcode(repairDigits(out.join(' ')))).replace(STREET_HYPHEN, '$1 ');
}

/** Letters the recogniser reads for digits on receipt fonts. */
const AS_DIGIT: Record<string, string> = { O: '0', o: '0', D: '0', I: '1', l: '1', L: '1', '|': '1', Z: '2', S: '5', B: '8' };

/**
 * Numbers of an address read with a letter for a digit: a look-alike letter between two digits
 * (`28I1` → 2811, `7/1L8B` → 7/118B), and a five-character postcode before the town that has one
 * such letter among four digits (`B1750 MASAI` → 81750, `401Z0` → 40120). House and unit codes
 * with a letter of their own (`17-G`, `U13`, `2A`) have it at an end, not between digits. In a
 * hyphenated unit number a part `O6` is `06`.
 */
function repairDigits(t: string): string {
  return (
    t
      .replace(/(?<=\d)[OoDIlL|ZSB](?=\d)/g, (c) => AS_DIGIT[c])
      // A part of a hyphenated unit number that is a letter O before digits is a zero (`A-G-O6` →
      // A-G-06): letters of their own in such codes are a part by themselves (`A-G-`) or end a number.
      .replace(/(?<=[\p{L}\d]-)[Oo](?=\d+(?![\p{L}\d]))/gu, '0')
      .replace(/(?<![\p{L}\d/-])(?=[\dOIlLZSB]{5}(?![\p{L}\d/-]))(?=(?:[^\d\s]*\d){4})([\dOIlLZSB]{5})(?=,?\s+\p{L}{3,})/gu, (m: string) =>
        m.replace(/[OIlLZSB]/g, (c) => AS_DIGIT[c]),
      )
  );
}

/** Two vocabulary words of four letters or more printed as one token (`DARULEHSAN`): the lost space put back. */
function splitGlued(core: string): string | null {
  const up = core.toUpperCase();
  if (up.length < 8 || !/^[A-Z]+$/.test(up) || WORD_SET.has(up)) return null;
  for (let k = 4; k <= up.length - 4; k++) if (WORD_SET.has(up.slice(0, k)) && WORD_SET.has(up.slice(k))) return `${core.slice(0, k)} ${core.slice(k)}`;
  return null;
}

/**
 * The parts of an address (house number, street, area, postcode and town, state) are separated by
 * commas, and the recogniser reads many of those small commas as periods: a period after a number
 * or a whole word that is followed by the next part (a letter, after a space or not) is that comma.
 * Abbreviations keep theirs (`NO.`, `JLN.`, `P.T.`, initials), and so does the period that ends the address.
 */
const ABBREVIATION = /^(MR|MRS|MS|MDM|NO|NOS|JLN|LRG|TMN|KG|BLK|LOT|PT|ST|RD|AVE|BDR|KPG|SG|BT|LOR|SEK|MT|DR|JL|SDN|BHD|REG|INCL|EXCL|TEL|FAX|CO)$/i;
function commaBetweenParts(t: string): string {
  return t.replace(/(?<![\p{L}\d.@])(\p{L}{3,}|\d+[A-Z]?)\.(\s?)(?=(\p{L}+))/gu, (m, word: string, space: string, next: string) => {
    if (ABBREVIATION.test(word)) return m;
    // Without a space only after a number or before an address word (`33.JALAN`, `JAYA.SELANGOR`), not in `HOTMAIL.COM`.
    if (!space && !/^\d/.test(word) && !WORD_SET.has(next.toUpperCase())) return m;
    return `${word},${space}`;
  });
}

/**
 * A street-kind word is followed by the street's name, never joined to it by a hyphen: `JALAN-KPB`
 * is the space the recogniser read as a dash (a speck or the print's dot matrix).
 */
const STREET_HYPHEN = /\b(JALAN|JLN|LORONG|LRG|TAMAN|TMN|PERSIARAN|LEBUH|LEBUHRAYA|BANDAR|KAWASAN|KAMPUNG)-(?=[A-Z])/gi;

/**
 * Receipts of MY/SG print the postcode after a comma (`TAMAN DAYA, 81100 JOHOR BAHRU`), and the
 * recogniser often reads that small comma as a period; a period between a word and a five-digit
 * postcode is turned back into the comma (spacing kept as recognised). `NO.53` and amounts are
 * untouched: the period must follow a word.
 */
const NUMBER_WORD = /^(NO|NOS|LOT|PT|BOX|BLK|BLOCK|UNIT|HS|GM|PN|LOR|JLN|KM)$/i;
function commaBeforePostcode(t: string): string {
  // `NO. 12345`, `LOT. 12345`: an abbreviation's period before a lot or house number stays.
  return t.replace(/(?<![\p{L}\d])(\p{L}{2,})\.(?=\s?\d{5}(?!\d)(?![.,]\d))/gu, (m, word: string) => (NUMBER_WORD.test(word) ? m : `${word},`));
}
