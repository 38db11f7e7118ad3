/**
 * Dates as printed on receipts, invoices and reports, found inside a line of text and normalised to
 * ISO 8601 (`YYYY-MM-DD`). The original characters are kept: SROIE (and most accounting users)
 * want the date "as written", the ISO form is for machines.
 *
 * Numeric dates are read day-first (the order of most of the world) unless the numbers only make
 * sense month-first (`12/28/2017`); a 4-digit first group means year-first (`2019-01-12`).
 * Two-digit years are windowed: 00–69 → 20xx, 70–99 → 19xx (the POSIX `strptime %y` rule).
 */

export interface DateMatch {
  /** The characters as written (`25/12/2018`, `2018年12月25日`, `12 Jan 2019`). */
  text: string;
  /**
   * The date as printed, with OCR spacing slips undone: no spaces inside a numeric date
   * (`25/12/20 18` → `25/12/2018`), one space between day, month name and year when OCR glued them
   * (`05MAR2018` → `05 MAR 2018`).
   */
  value: string;
  /** `YYYY-MM-DD`. */
  iso: string;
  /** Offset of `text` in the searched string. */
  index: number;
  /** True when day and month could be swapped (both ≤ 12) and the default order decided. */
  ambiguous: boolean;
}

const MONTHS: Record<string, number> = {
  JAN: 1,
  JANUARY: 1,
  JANV: 1,
  JANUAR: 1,
  ENE: 1,
  FEB: 2,
  FEBRUARY: 2,
  FEV: 2,
  FEVR: 2,
  FEBRUAR: 2,
  FEBRUARI: 2,
  MAR: 3,
  MARCH: 3,
  MAC: 3,
  MARS: 3,
  MAERZ: 3,
  MARZ: 3,
  MÄR: 3,
  MÄRZ: 3,
  APR: 4,
  APRIL: 4,
  AVR: 4,
  MAY: 5,
  MEI: 5,
  MAI: 5,
  JUN: 6,
  JUNE: 6,
  JUIN: 6,
  JUNI: 6,
  JUL: 7,
  JULY: 7,
  JUIL: 7,
  JULI: 7,
  JULAI: 7,
  AUG: 8,
  AUGUST: 8,
  OGO: 8,
  OGOS: 8,
  AOUT: 8,
  AOÛT: 8,
  AGO: 8,
  SEP: 9,
  SEPT: 9,
  SEPTEMBER: 9,
  OCT: 10,
  OCTOBER: 10,
  OKT: 10,
  OKTOBER: 10,
  NOV: 11,
  NOVEMBER: 11,
  DEC: 12,
  DECEMBER: 12,
  DIS: 12,
  DISEMBER: 12,
  DEZ: 12,
  DEZEMBER: 12,
  DIC: 12,
};
const MONTH_ALT = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');

const pad = (n: number) => String(n).padStart(2, '0');

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function fullYear(y: string): number {
  const n = Number(y);
  if (y.length === 4) return n;
  return n < 70 ? 2000 + n : 1900 + n;
}

function toIso(y: number, m: number, d: number): string | null {
  if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

export function isValidIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return !!m && toIso(Number(m[1]), Number(m[2]), Number(m[3])) === s;
}

// A separator inside a numeric date: `/`, `-`, `.`, optionally with one space on either side
// (thermal printers and OCR both produce `25/12/ 2018`).
const SEP = String.raw`\s?[/\-.]\s?`;
const NOT_BEFORE = String.raw`(?<![\d/.\-])`;
// A date ends where the digits end — or where a time of day is glued on (`10 MAR 201818:24`).
const NOT_AFTER = String.raw`(?:(?![\d]|[/\-.]\d)|(?=\d{1,2}:\d{2}))`;
// A four-digit year OCR split in two (`25/12/20 18`): only 1990–2039, never before a time (`19 21:13`).
const YEAR = String.raw`(?:19\s9\d|20\s[0-3]\d)(?!\d|\s?:)|\d{4}|\d{2}`;

interface Pattern {
  re: RegExp;
  /** The printed form of a match (see `DateMatch.value`). */
  tidy(text: string): string;
  read(m: RegExpExecArray, dayFirst: boolean): { iso: string | null; ambiguous: boolean };
}

const PATTERNS: Pattern[] = [
  {
    // 2018年12月25日, 2018 年 12 月 25 日, 2018년 12월 25일
    re: new RegExp(String.raw`${NOT_BEFORE}(\d{4}|\d{2})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일号]?`, 'gu'),
    tidy: (t) => t,
    read: (m) => ({ iso: toIso(fullYear(m[1]), Number(m[2]), Number(m[3])), ambiguous: false }),
  },
  {
    // 2019-01-12, 2019/1/12, 2019.01.12
    re: new RegExp(String.raw`${NOT_BEFORE}(\d{4})${SEP}(\d{1,2})${SEP}(\d{1,2})${NOT_AFTER}`, 'g'),
    tidy: (t) => t.replace(/\s+/g, ''),
    read: (m) => ({ iso: toIso(Number(m[1]), Number(m[2]), Number(m[3])), ambiguous: false }),
  },
  {
    // 25/12/2018, 24-01-18, 12/28/2017, 25.12.2018
    re: new RegExp(String.raw`${NOT_BEFORE}(\d{1,2})${SEP}(\d{1,2})${SEP}(${YEAR})${NOT_AFTER}`, 'g'),
    tidy: (t) => t.replace(/\s+/g, ''),
    read: (m, dayFirst) => {
      const a = Number(m[1]),
        b = Number(m[2]),
        y = fullYear(m[3].replace(/\s/g, ''));
      // The separators must agree (`24-01-18`, not `24-01.18`): mixed ones are prices or codes.
      const seps = m[0].replace(/[\d\s]/g, '');
      // A space on both sides of a separator is a range or arithmetic (`7 - 15`), not a date.
      if (/\s[/\-.]\s/.test(m[0])) return { iso: null, ambiguous: false };
      if (seps.length !== 2 || seps[0] !== seps[1]) return { iso: null, ambiguous: false };
      if (a > 12 && b <= 12) return { iso: toIso(y, b, a), ambiguous: false };
      if (b > 12 && a <= 12) return { iso: toIso(y, a, b), ambiguous: false };
      const iso = dayFirst ? toIso(y, b, a) : toIso(y, a, b);
      return { iso, ambiguous: a !== b };
    },
  },
  {
    // 12 Jan 2019, 05 MAR 2018, 25-DEC-18, 1st January 2020, 12 Jan, 2019
    re: new RegExp(
      String.raw`(?<![\dA-Z])(\d{1,2})(?:ST|ND|RD|TH)?[\s\-./]{0,2}(${MONTH_ALT})\.?(?![A-Z])[\s\-./,]{0,3}(\d{4}|\d{2})(?:(?!\d)|(?=\d{1,2}:\d{2}))`,
      'giu',
    ),
    tidy: (t) => t.replace(/^(\d{1,2})(?=\p{L})(?!(?:st|nd|rd|th)(?!\p{L}))/iu, '$1 ').replace(/(\p{L})(?=\d)/u, '$1 '),
    read: (m) => ({ iso: toIso(fullYear(m[3]), MONTHS[m[2].toUpperCase()], Number(m[1])), ambiguous: false }),
  },
  {
    // Jan 12, 2019; December 25 2018
    re: new RegExp(String.raw`(?<![A-Z])(${MONTH_ALT})\.?[\s\-]{1,2}(\d{1,2})(?:ST|ND|RD|TH)?,?[\s\-]{1,2}(\d{4})(?!\d)`, 'giu'),
    tidy: (t) => t,
    read: (m) => ({ iso: toIso(Number(m[3]), MONTHS[m[1].toUpperCase()], Number(m[2])), ambiguous: false }),
  },
];

/** Every date in `s`, in order of appearance; overlapping readings keep the earliest pattern's. */
export function findDates(s: string, opts: { dayFirst?: boolean } = {}): DateMatch[] {
  const dayFirst = opts.dayFirst ?? true;
  const out: DateMatch[] = [];
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(s); m; m = p.re.exec(s)) {
      const { iso, ambiguous } = p.read(m, dayFirst);
      if (!iso) continue;
      const text = m[0].trim();
      const index = m.index + m[0].indexOf(text);
      if (out.some((o) => index < o.index + o.text.length && o.index < index + text.length)) continue;
      const pattern = p;
      out.push({ text, value: pattern.tidy(text), iso, index, ambiguous });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

/** The first date in `s`, or null. */
export function parseDate(s: string, opts: { dayFirst?: boolean } = {}): DateMatch | null {
  return findDates(s, opts)[0] ?? null;
}
