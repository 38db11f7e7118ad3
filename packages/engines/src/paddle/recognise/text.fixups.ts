/**
 * Word-level corrections for the confusions the Chinese+English recogniser makes between look-alike
 * glyphs in Latin text: the digit zero inside a word and the letter O inside a number. Only tokens
 * that are unambiguous are touched: a word whose only digits are zeros ("N0:", "R00T", "B0ARD") and
 * a number whose only letters are O's ("8110O"). Mixed codes ("ES1OOO", "M026588") are left alone.
 */

const LETTER = /[A-Za-z]/;
const DIGIT = /[0-9]/;

export function fixConfusables(word: string): string {
  let letters = 0, digits = 0, zeros = 0, ohs = 0, other = 0;
  for (const ch of word) {
    if (ch === '0') { zeros++; digits++; }
    else if (ch === 'O' || ch === 'o') { ohs++; letters++; }
    else if (DIGIT.test(ch)) digits++;
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
