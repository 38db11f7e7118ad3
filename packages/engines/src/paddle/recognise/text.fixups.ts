/**
 * Word-level corrections for the confusions the Chinese+English recogniser makes between look-alike
 * glyphs in Latin text: the digit zero inside a word and the letter O inside a number. Only tokens
 * that are unambiguous are touched: a word whose only digits are zeros ("N0:", "R00T", "B0ARD") and
 * a number whose only letters are O's ("8110O"). Mixed codes ("ES1OOO", "M026588") are left alone.
 *
 * And one confusion in Chinese text: the ideograph 一 ("one", a single horizontal stroke) read as a
 * dash (see `fixCjkDash`).
 */

const LETTER = /[A-Za-z]/;
const DIGIT = /[0-9]/;

export function fixConfusables(word: string): string {
  let letters = 0,
    digits = 0,
    zeros = 0,
    ohs = 0,
    other = 0;
  for (const ch of word) {
    if (ch === '0') {
      zeros++;
      digits++;
    } else if (ch === 'O' || ch === 'o') {
      ohs++;
      letters++;
    } else if (DIGIT.test(ch)) digits++;
    else if (LETTER.test(ch)) letters++;
    else if (ch.charCodeAt(0) > 0x7f) other++;
  }
  if (other) return word;
  // A word with letters whose only digits are zeros: the zeros are O's.
  if (zeros && digits === zeros && letters >= 1) {
    const upper = word.replace(/[^A-Za-z]/g, '') === word.replace(/[^A-Za-z]/g, '').toUpperCase();
    return word.replace(/0/g, upper ? 'O' : 'o');
  }
  // A number whose only letters are O's: the O's are zeros.
  if (ohs && letters === ohs && digits >= 2) return word.replace(/[Oo]/g, '0');
  return word;
}

/** Dashes the recogniser puts where a single horizontal stroke was printed. */
const DASHES = new Set(['\u2014', '\u2015', '\u2500']);
/** Chinese text: an ideograph or a full-width Chinese punctuation mark (、。「」，：；（）). */
const HAN = /[\p{Script=Han}\u3001-\u3003\u3008-\u3011\uff08\uff09\uff0c\uff1a\uff1b]/u;
const LATIN_OR_DIGIT = /[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/u;

/**
 * A lone dash touching an ideograph is the ideograph 一: Chinese prints its dash doubled (——) and
 * sets ranges between numbers, so a single em dash glued to Chinese characters ("第—", "—是",
 * "—、") is the stroke of 一 that the recogniser, seeing only its shape, called a dash. A dash
 * beside another dash, a digit or a Latin letter ("2024—2025", "A—B", "——"), or standing alone as
 * a word, is left as it is.
 */
export function fixCjkDash(word: string): string {
  const chars = [...word];
  let changed = false;
  for (let i = 0; i < chars.length; i++) {
    if (!DASHES.has(chars[i])) continue;
    const prev = chars[i - 1],
      next = chars[i + 1];
    if ((prev && (DASHES.has(prev) || LATIN_OR_DIGIT.test(prev))) || (next && (DASHES.has(next) || LATIN_OR_DIGIT.test(next)))) continue;
    if (!((prev && HAN.test(prev)) || (next && HAN.test(next)))) continue;
    chars[i] = '\u4e00';
    changed = true;
  }
  return changed ? chars.join('') : word;
}
