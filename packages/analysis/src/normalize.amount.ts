/**
 * Money amounts as printed: `RM 1,234.50`, `$8.20`, `(12.00)` (accounting negative), `-0.02`,
 * `0.02-` (POS negative), `1.234,50` and `1 234,50` (European grouping), `¥1,234`, `128元`.
 *
 * Grouping vs. decimal separator: when both `,` and `.` appear, the last one is the decimal
 * separator; a lone `,` followed by exactly three digits in groups (`1,234`) is grouping, followed by
 * one or two digits (`12,50`) is decimal; a lone `.` is always decimal (receipts print unit prices
 * with three decimals, `9.000`).
 */

export interface AmountMatch {
  /** The characters as written, currency included (`RM 1,234.50`). */
  text: string;
  /** The number as written without currency or sign marks (`1,234.50`). */
  number: string;
  value: number;
  /** ISO 4217 code when a currency code or an unambiguous symbol is attached, else null. */
  currency: string | null;
  /** A currency *symbol* written directly before the number (`$8.20` → `$`), kept for "as written" forms. */
  symbol: string | null;
  /** Digits after the decimal separator (0 for whole numbers). */
  decimals: number;
  index: number;
}

const CURRENCY_CODES: Record<string, string> = {
  RM: 'MYR',
  MYR: 'MYR',
  USD: 'USD',
  US$: 'USD',
  SGD: 'SGD',
  S$: 'SGD',
  HKD: 'HKD',
  HK$: 'HKD',
  AUD: 'AUD',
  A$: 'AUD',
  CAD: 'CAD',
  C$: 'CAD',
  EUR: 'EUR',
  '€': 'EUR',
  GBP: 'GBP',
  '£': 'GBP',
  CNY: 'CNY',
  RMB: 'CNY',
  元: 'CNY',
  '¥': 'CNY',
  '￥': 'CNY',
  JPY: 'JPY',
  円: 'JPY',
  INR: 'INR',
  '₹': 'INR',
  IDR: 'IDR',
  RP: 'IDR',
  THB: 'THB',
  '฿': 'THB',
  PHP: 'PHP',
  '₱': 'PHP',
  VND: 'VND',
  '₫': 'VND',
  KRW: 'KRW',
  '₩': 'KRW',
  CHF: 'CHF',
};
// `$` alone is left without a code: it is the dollar of a dozen countries.
const SYMBOLS = new Set(['$', '€', '£', '¥', '￥', '₹', '฿', '₱', '₫', '₩', 'US$', 'S$', 'HK$', 'A$', 'C$']);
const esc = (s: string) => s.replace(/[$.]/g, (c) => '\\' + c);
const CUR = [...Object.keys(CURRENCY_CODES), '$']
  .sort((a, b) => b.length - a.length)
  .map(esc)
  .join('|');

// Whole numbers with grouping, decimals with either separator, or plain digits.
// OCR of thermal prints often puts a space beside the decimal point or between the two decimals
// (`30 .90`, `4.9 0`): allowed for exactly two decimals, where it cannot be two numbers.
const NUM = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d{1,3})?|\d{1,3}(?:\.\d{3})+,\d{1,2}|\d+(?: ?\. ?\d ?\d(?!\d)|[.,]\d{1,3})?`;
const NUM_SPACED = String.raw`\d{1,3}(?:[ \u00a0'’]\d{3})+(?:[.,]\d{1,2})?`;

function buildRe(num: string, flags: string): RegExp {
  return new RegExp(
    String.raw`(?<pre>${CUR})?[ \t]?(?<sign>[-−–])?[ \t]?(?<open>\()?[ \t]?(?<pre2>${CUR})?[ \t]?(?<num>${num})[ \t]?(?<close>\))?(?<trail>-(?![\d]))?(?:[ \t]?(?<post>${CUR}))?`,
    flags,
  );
}
const SCAN_RE = buildRe(NUM, 'giu');
const WHOLE_RE = new RegExp('^\\s*' + buildRe(`${NUM_SPACED}|${NUM}`, 'iu').source + '\\s*$', 'iu');

/** Value and decimals of a number as written, or null when its separators make no sense. */
export function readNumber(raw: string): { value: number; decimals: number } | null {
  const s = raw.replace(/[ \u00a0'’]/g, '');
  const lastComma = s.lastIndexOf(','),
    lastDot = s.lastIndexOf('.');
  let intPart = s,
    frac = '';
  if (lastComma >= 0 && lastDot >= 0) {
    const dec = Math.max(lastComma, lastDot);
    intPart = s.slice(0, dec).replace(/[.,]/g, '');
    frac = s.slice(dec + 1);
  } else if (lastComma >= 0) {
    if (/^\d{1,3}(,\d{3})+$/.test(s)) intPart = s.replace(/,/g, '');
    else if (/^\d+,\d{1,2}$/.test(s)) [intPart, frac] = s.split(',');
    else return null;
  } else if (lastDot >= 0) {
    if (/^\d{1,3}(\.\d{3}){2,}$/.test(s)) intPart = s.replace(/\./g, '');
    else if (/^\d+\.\d+$/.test(s)) [intPart, frac] = s.split('.');
    else return null;
  }
  if (!/^\d+$/.test(intPart) || (frac && !/^\d+$/.test(frac))) return null;
  return { value: Number(`${intPart}.${frac || '0'}`), decimals: frac.length };
}

function currencyOf(tok: string | undefined): string | null {
  return tok ? (CURRENCY_CODES[tok.toUpperCase()] ?? null) : null;
}

type Groups = Partial<Record<'pre' | 'sign' | 'open' | 'pre2' | 'num' | 'close' | 'trail' | 'post', string>>;

function fromGroups(g: Groups, text: string, index: number): AmountMatch | null {
  if (!g.num) return null;
  const num = readNumber(g.num);
  if (!num) return null;
  // An open parenthesis needs its close: `(12.00)` is negative, `(RM)` headers and `(5` are not.
  if (!!g.open !== !!g.close) return null;
  const negative = !!g.sign || !!g.open || !!g.trail;
  const numAt = text.indexOf(g.num);
  let symbol: string | null = null;
  const symTok = g.pre2 ?? g.pre;
  if (symTok && SYMBOLS.has(symTok.toUpperCase())) {
    const between = text.slice(text.lastIndexOf(symTok, numAt) + symTok.length, numAt);
    if (!/\s/.test(between)) symbol = symTok;
  }
  return {
    text,
    number: g.num,
    value: negative ? -num.value : num.value,
    currency: currencyOf(g.pre ?? g.pre2 ?? g.post),
    symbol,
    decimals: num.decimals,
    index,
  };
}

/**
 * Every amount-like number in a line of text. Long digit runs (barcodes, phone and registration
 * numbers) are skipped; whole numbers are returned too (quantities look the same), callers weigh
 * `decimals` and `currency`.
 */
export function findAmounts(s: string): AmountMatch[] {
  const out: AmountMatch[] = [];
  SCAN_RE.lastIndex = 0;
  for (let m = SCAN_RE.exec(s); m; m = SCAN_RE.exec(s)) {
    // A match that is refused below may have swallowed the start of a real amount (`TOTA1 RM29.30`
    // reads `1 RM` first): the scan resumes one character after the refused match's start.
    const resume = m.index + 1;
    const g: Groups = { ...(m.groups ?? {}) };
    let start = m.index;
    let text = m[0];
    // A letter code must stand alone (`RM9.00`, not the `RM` of `CONFIRM`).
    if (g.pre && /^\p{L}/u.test(g.pre) && /\p{L}/u.test(s[start - 1] ?? '')) {
      const cut = text.indexOf(g.pre) + g.pre.length;
      start += cut;
      text = text.slice(cut);
      g.pre = undefined;
    }
    const lead = text.length - text.trimStart().length;
    start += lead;
    text = text.trim();
    if (!g.num) {
      SCAN_RE.lastIndex = resume;
      continue;
    }
    const numStart = start + text.indexOf(g.num);
    const numEnd = numStart + g.num.length;
    const hasDecimals = /[.,] ?\d ?\d{0,2}$/.test(g.num);
    // The number must not continue a word or a longer number (`SR100100`, `A1.5`, `18287/102`).
    const charBefore = s[numStart - 1] ?? '';
    if (numStart === start && /[\p{L}\d.,/]/u.test(charBefore)) {
      SCAN_RE.lastIndex = resume;
      continue;
    }
    // ... nor be continued by one (`1851-A`, `12.5.3`); `75.00SR` (a tax code glued on) is fine.
    const charAfter = s[numEnd] ?? '';
    // Percentages (`GST 6%`, `10.00%`) are rates, not money.
    if (/^\s?%/.test(s.slice(numEnd, numEnd + 2))) {
      SCAN_RE.lastIndex = resume;
      continue;
    }
    // A trailing minus marks a negative price only on a decimal amount (`0.02-`, not `012 -`).
    if (g.trail && !hasDecimals) {
      text = text.replace(/\s*-$/, '');
      g.trail = undefined;
    }
    if (g.trail && /[\p{L}\d]/u.test(s[start + text.length] ?? '')) {
      SCAN_RE.lastIndex = resume;
      continue;
    }
    if (!g.close && !g.trail && !g.post) {
      if (/\d/.test(charAfter) || (/[.,/]/.test(charAfter) && /\d/.test(s[numEnd + 1] ?? ''))) {
        SCAN_RE.lastIndex = resume;
        continue;
      }
      if (/\p{L}/u.test(charAfter) && !hasDecimals) {
        SCAN_RE.lastIndex = resume;
        continue;
      }
      if (/[-–]/.test(charAfter) && /[\p{L}\d]/u.test(s[numEnd + 1] ?? '')) {
        SCAN_RE.lastIndex = resume;
        continue;
      }
    }
    const intDigits = g.num.replace(/[.,] ?\d ?\d{0,2}$/, '').replace(/\D/g, '').length;
    if (intDigits > 9) {
      SCAN_RE.lastIndex = resume;
      continue;
    }
    const a = fromGroups(g, text, start);
    if (a) out.push(a);
  }
  return out;
}

/** The amount a whole string spells (`RM 1,234.50`, `(12.00)`, `1.234,50 €`), or null. */
export function parseAmount(s: string): AmountMatch | null {
  const m = WHOLE_RE.exec(s);
  if (!m) return null;
  return fromGroups({ ...(m.groups ?? {}) }, s.trim(), s.length - s.trimStart().length);
}

/** Fixed two-decimal form (`1234.50`), the `normalized` of an amount field. */
export function formatAmount(v: number): string {
  return (Math.round(v * 100) / 100).toFixed(2);
}
