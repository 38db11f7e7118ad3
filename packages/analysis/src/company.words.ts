/**
 * Repair of a company name's general words when OCR misread them. A legal name is a distinctive
 * part followed by trade words and a legal form, both from small closed vocabularies, so a token one
 * letter away from exactly one of those words is that word (`SON BHD` → SDN BHD, `ENTERFRISE` →
 * ENTERPRISE); the distinctive part (a family or brand name) is never changed. Also: the label of
 * an owner (`DIMILIKI:`, `OWNED BY:`) printed before the name is not part of it, and a digit 1
 * among capitals is the letter I.
 */
import { editDistance } from './fields.labels.ts';

/** Trade words of shop names (English and Malay), seven letters or more: shorter ones have real neighbours. */
const TRADE_WORDS = [
  'ENTERPRISE',
  'ENTERPRISES',
  'TRADING',
  'HARDWARE',
  'RESTAURANT',
  'RESTORAN',
  'STATIONERY',
  'SUPERMARKET',
  'MINIMARKET',
  'PHARMACY',
  'FARMASI',
  'BAKERY',
  'ELECTRICAL',
  'MACHINERY',
  'INDUSTRIES',
  'SERVICES',
  'PERNIAGAAN',
  'SYARIKAT',
  'HOLDINGS',
  'INTERNATIONAL',
  'MARKETING',
  'CORPORATION',
  'LIMITED',
  'BERHAD',
  'SENDIRIAN',
  'PASARAYA',
  'TRADERS',
  'BOUTIQUE',
  'KITCHEN',
  'GALLERY',
];

/** The trade word a token stands for when one letter of it was misread, else null. */
function nearTradeWord(token: string): string | null {
  if (token.length < 7 || !/^[A-Z]+$/.test(token) || TRADE_WORDS.includes(token)) return null;
  let hit: string | null = null;
  for (const w of TRADE_WORDS) {
    if (w.length !== token.length || editDistance(token, w, 1) > 1) continue;
    if (hit) return null;
    hit = w;
  }
  return hit;
}

/**
 * `SDN BHD` (Sendirian Berhad) is the most common legal form of the region: a three-letter token
 * one edit from `SDN` before `BHD`, or two from `BHD` after `SDN`, is that word (`SON BHD`,
 * `SDN EHU`); the pair has no other reading in a name.
 */
function repairLegalForm(tokens: string[]): void {
  // `S/B` with its B misread (`S/D`, `S/8`) after a name.
  for (let i = 1; i < tokens.length; i++) if (/^S\/[D80]$/i.test(tokens[i])) tokens[i] = 'S/B';
  for (let i = 0; i + 1 < tokens.length; i++) {
    const a = tokens[i].toUpperCase().replace(/\.$/, '');
    const b = tokens[i + 1].toUpperCase().replace(/[.,]$/, '');
    if (a.length === 3 && b === 'BHD' && a !== 'SDN' && editDistance(a, 'SDN', 1) <= 1) tokens[i] = tokens[i].replace(/^.../, matchCase('SDN', tokens[i]));
    if (a === 'SDN' && b.length === 3 && b !== 'BHD' && /^[A-Z]+$/.test(b) && editDistance(b, 'BHD', 2) <= 2)
      tokens[i + 1] = tokens[i + 1].replace(/^.../, matchCase('BHD', tokens[i + 1]));
  }
}

const matchCase = (word: string, like: string) => (like === like.toUpperCase() ? word : word[0] + word.slice(1).toLowerCase());

/** An owner's label before the name: `DIMILIKI:`, `DIMILIKI OLEH:`, `OWNED BY:`, `OPERATED BY:`. */
const OWNER_LABEL = /^\s*(DIMILIKI(\s+OLEH)?|MILIK|OWNED\s+BY|OPERATED\s+BY)\s*:\s*/i;

/**
 * A one among capital letters is the letter I the recogniser confused with it (`1DEA`, `CH1CKEN`):
 * a word of four or more characters whose only digit is a single 1, not at its end, and whose other
 * characters are capitals. Codes and numbered branches (`CT281`, `GS1`, `COUNTER1`) are left alone.
 */
function digitOneAsI(t: string): string {
  const m = /^([("']*)([A-Z1]{4,})([).,']*)$/.exec(t);
  if (!m || (m[2].match(/1/g) ?? []).length !== 1 || m[2].endsWith('1')) return t;
  return m[1] + m[2].replace('1', 'I') + m[3];
}

export function repairCompanyWords(name: string): string {
  // A period after a whole word inside a name is a speck (`ELECTRICAL. TRADING`); abbreviations
  // (`CO.`, `SDN.`, initials) are shorter than four letters and keep theirs.
  const tokens = name
    .replace(OWNER_LABEL, '')
    .replace(/(?<=(?<![\p{L}.])\p{L}{4,})\.(?= \p{L})/gu, '')
    .split(' ');
  repairLegalForm(tokens);
  return tokens
    .map(digitOneAsI)
    .map((t) => {
      const m = /^([("']*)([A-Za-z]+)([).,']*)$/.exec(t);
      if (!m) return t;
      const upper = m[2] === m[2].toUpperCase();
      const fixed = nearTradeWord(m[2].toUpperCase());
      return fixed ? m[1] + (upper ? fixed : matchCase(fixed, m[2])) + m[3] : t;
    })
    .join(' ');
}
