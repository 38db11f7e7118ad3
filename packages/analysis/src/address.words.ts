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
  'JALAN', 'LORONG', 'TAMAN', 'LOT', 'BATU', 'KAMPUNG', 'PERSIARAN', 'LEBUH', 'LEBUHRAYA', 'BANDAR', 'KAWASAN',
  'PERINDUSTRIAN', 'SEKSYEN', 'SECTION', 'PUSAT', 'WISMA', 'MENARA', 'BANGUNAN', 'ROAD', 'STREET', 'AVENUE',
  'BOULEVARD', 'LANE', 'DRIVE', 'HIGHWAY', 'FLOOR', 'LEVEL', 'BLOCK', 'UNIT', 'SUITE', 'BUILDING', 'PLAZA',
  'MALL', 'COMPLEX', 'INDUSTRIAL', 'ESTATE', 'PARK', 'SQUARE',
  // Generic Malay place-name words (new, north, south, …).
  'JAYA', 'BARU', 'BAHRU', 'UTARA', 'SELATAN', 'TIMUR', 'BARAT', 'INDAH', 'PERDANA', 'UTAMA', 'TENGAH',
  // Malaysian states, their honorifics, countries.
  'JOHOR', 'SELANGOR', 'KUALA', 'LUMPUR', 'PUTRAJAYA', 'PERAK', 'PENANG', 'PULAU', 'PINANG', 'KEDAH', 'KELANTAN',
  'TERENGGANU', 'PAHANG', 'MELAKA', 'MALACCA', 'NEGERI', 'SEMBILAN', 'SABAH', 'SARAWAK', 'PERLIS', 'LABUAN',
  'DARUL', 'EHSAN', 'TAKZIM', 'MAKMUR', 'RIDZUAN', 'MALAYSIA', 'SINGAPORE', 'INDONESIA', 'THAILAND',
];
const WORD_SET = new Set(WORDS);

/** Glyphs the recogniser confuses on receipt fonts, folded to one representative. */
function fold(t: string): string {
  return t.replace(/[1IL|!]/g, 'I').replace(/[0OQ]/g, 'O').replace(/5/g, 'S').replace(/8/g, 'B').replace(/2/g, 'Z').replace(/6/g, 'G');
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
 * A long vocabulary word with one or two letters misread (`PERINDUSTLAN`, `SELANG0R`): long words
 * have no real neighbours that close, whereas short ones do (`PULAU`/`PULAI`, `JOHOR`/`JOHAR` are
 * places and names of their own), so only words of 8 letters or more are corrected, by one
 * misread letter, or two edits from 12 letters, and only when exactly one word is that close.
 */
function nearLongWord(core: string): string | null {
  if (core.length < 7 || !/^[A-Z]+$/.test(core)) return null;
  let hit: string | null = null;
  for (const w of LONG_WORDS) {
    // Below 12 letters a misread letter, not a lost or extra one (`MALAYSIAN` is a word of its own).
    const max = w.length >= 12 ? 2 : 1;
    if (max === 1 ? w.length !== core.length : Math.abs(w.length - core.length) > max) continue;
    if (editDistance(core, w, max) <= max) {
      if (hit && hit !== w) return null;
      hit = w;
    }
  }
  return hit;
}
const LONG_WORDS = WORDS.filter((w) => w.length >= 8);

const TOKEN = /^([("'`]*)(.*?)([)\].,:;'`]*)$/;

/** An address value with its misread common words repaired; everything else is kept as it is. */
export function repairAddressWords(value: string): string {
  const tokens = value.split(' ');
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const [, pre, core, post] = TOKEN.exec(tokens[i])!;
    const next = tokens[i + 1];
    // Two fragments of one word: `MALAYS IA`. Only when neither fragment is itself a word.
    if (next && !post && /^[A-Z]+$/.test(core)) {
      const [, npre, ncore, npost] = TOKEN.exec(next)!;
      if (!npre && /^[A-Z]+$/.test(ncore) && WORD_SET.has(core + ncore) && !WORD_SET.has(core) && !WORD_SET.has(ncore)) {
        out.push(pre + core + ncore + npost);
        i++;
        continue;
      }
    }
    // Printed capitals or title case (`Perindustlan`); all lower case is handwriting or prose.
    const title = /^[A-Z][a-z0-9|!]+$/.test(core);
    const fixed = repairToken(core.toUpperCase() === core || title ? core.toUpperCase() : '');
    const cased = fixed && title ? fixed[0] + fixed.slice(1).toLowerCase() : fixed;
    out.push(cased ? pre + cased + post : tokens[i]);
  }
  return commaBeforePostcode(out.join(' ')).replace(STREET_HYPHEN, '$1 ');
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
