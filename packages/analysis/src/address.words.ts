/**
 * Repair of the common words of an address that OCR misread: addresses are built from a small
 * vocabulary (street words, Malay place-name words, state and country names), so a token that is
 * not such a word but reads as exactly one of them once look-alike glyphs are folded (`10T` → LOT,
 * `LEVE1` → LEVEL, `JAIAN` → JALAN), or two fragments that only together spell one (`MALAYS IA` →
 * MALAYSIA), is that word. Names of places and shops are left alone: they are open-ended, and a
 * fold into them would be a guess.
 */

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

/** The word a misread token stands for, or null. Tokens that are numbers stay numbers. */
function repairToken(core: string): string | null {
  if (core.length < 3 || WORD_SET.has(core) || !/[A-Z]/.test(core) || !/^[A-Z0-9|!]+$/.test(core)) return null;
  // A code such as `1851A` or `U13` has letters and digits for a reason: at most one letter may be missing.
  const digits = (core.match(/[0-9]/g) ?? []).length;
  if (digits > 0 && core.length - digits < 1) return null;
  return BY_FOLD.get(fold(core)) ?? null;
}

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
    const fixed = repairToken(core.toUpperCase() === core ? core : '');
    out.push(fixed ? pre + fixed + post : tokens[i]);
  }
  return commaBeforePostcode(out.join(' '));
}

/**
 * Receipts of MY/SG print the postcode after a comma (`TAMAN DAYA, 81100 JOHOR BAHRU`), and the
 * recogniser often reads that small comma as a period; a period between a word and a five-digit
 * postcode is turned back into the comma (spacing kept as recognised). `NO.53` and amounts are
 * untouched: the period must follow letters.
 */
function commaBeforePostcode(t: string): string {
  return t.replace(/(?<=\p{Lu}{2})\.(?=\s?\d{5}(?!\d)(?![.,]\d))/gu, ',');
}
