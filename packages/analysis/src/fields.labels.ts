/**
 * Money labels of receipts and invoices: what a label announces (`ROUNDED TOTAL` → the final total,
 * `SUB TOTAL` → subtotal, `GST 6%` → tax, `CASH`, `CHANGE`, `TOTAL QTY` → not money) and which
 * amount belongs to it — on the same line after it, on a line to its right in the same visual row,
 * or on the row just below when the printer put the amount under its label.
 *
 * Labels are compared after folding the slips OCR makes on receipt fonts (`T0TAL`, `TOTAI`,
 * `ROUND D TOTAL`, `Salos(lnclusiv`, glued `TOTALGST`).
 */
import { findAmounts, readNumber, type AmountMatch } from './normalize.amount.ts';
import type { DocLine, VisualRow } from './layout.lines.ts';

export type LabelKind = 'total' | 'subtotal' | 'tax' | 'rounding' | 'cash' | 'change' | 'other';

export interface LabelClass {
  kind: LabelKind;
  /** For totals: how surely the label names the final figure (1 weak … 5 certain). */
  strength: number;
}

// Receipt fonts and OCR confuse O/0, I/1/L; compare labels on a folded form.
function fold(s: string): string {
  return s
    .toUpperCase()
    .replace(/(?<=[A-Z])0|0(?=[A-Z])/g, 'O')
    .replace(/(?<=[A-Z])[1|](?=[A-Z\s:]|$)/g, 'L')
    .replace(/[^A-Z\u4e00-\u9fff]+/g, ' ')
    .trim();
}

/** Levenshtein distance, stopping early above `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** A label word as OCR may garble it: one edit in short words, two in long ones, or a truncation (`INCLUSIV`, `EXCL`). */
function sameWord(w: string, v: string): boolean {
  if (w === v) return true;
  if (w.length >= 4 && v.startsWith(w) && w.length >= v.length - 4) return true;
  const max = v.length >= 8 ? 2 : 1;
  return editDistance(w, v, max) <= max;
}

const VOCAB = [
  'TOTAL',
  'ROUNDED',
  'ROUNDING',
  'GRAND',
  'NETT',
  'AMOUNT',
  'PAYABLE',
  'SUBTOTAL',
  'INCLUSIVE',
  'INCLUDING',
  'INCLUDED',
  'EXCLUSIVE',
  'EXCLUDING',
  'EXCLUDED',
  'QUANTITY',
  'ITEMS',
  'CHANGE',
  'TENDERED',
  'DISCOUNT',
  'SAVINGS',
  'ADJUSTMENT',
  'BALANCE',
  'RECEIVED',
  'JUMLAH',
  'SALES',
  'CASH',
  'CHARGE',
  'CHARGES',
  'SERVICE',
];

/** Words of a label, each snapped to the label vocabulary when one OCR edit away. */
function labelWords(s: string): string[] {
  return (
    fold(s)
      .split(/\s+/)
      .filter(Boolean)
      // Glued words (`TOTALGST`, `NETTOTAL`): split after a leading label word.
      .flatMap((w) => {
        const m = /^(TOTAL|NETT|NET|GRAND|ROUNDED|ROUNDING)(?!$)([A-Z]{3,})$/.exec(w);
        return m && !VOCAB.includes(w) ? [m[1], m[2]] : [w];
      })
      .map((w) => (w.length >= 4 && !VOCAB.includes(w) ? (VOCAB.find((v) => sameWord(w, v)) ?? w) : w))
  );
}

/** What a label announces. */
export function classifyLabel(label: string): LabelClass | null {
  const w = labelWords(label);
  const has = (...xs: string[]) => xs.some((x) => w.includes(x));
  const cjk = label.replace(/\s+/g, '');
  const total = has('TOTAL', 'JUMLAH') || /合计|合計|总计|總計|总额|總額|应付|應付|实付|實付|应收|实收|價稅合計|价税合计/.test(cjk);
  const sub = has('SUBTOTAL') || (has('SUB') && total) || /小计|小計/.test(cjk);
  if (!w.length && !/[\u4e00-\u9fff]/.test(cjk)) return null;
  if (
    has('QTY', 'QUANTITY', 'ITEM', 'ITEMS', 'PCS', 'POINTS', 'PTS', 'SAVINGS', 'SAVING', 'DISCOUNT', 'DISC', 'WEIGHT', 'UNITS', 'COUNT') ||
    /数量|件数|折扣|优惠/.test(cjk)
  )
    return { kind: 'other', strength: 0 };
  if (has('CHANGE') || /找零|找赎/.test(cjk)) return { kind: 'change', strength: 0 };
  if (!total && has('CASH', 'TENDERED', 'PAID', 'PAYMENT', 'CARD', 'VISA', 'MASTERCARD', 'RECEIVED', 'BAYAR')) return { kind: 'cash', strength: 0 };
  if (/现金|實收|实收/.test(cjk) && !/合计|总计/.test(cjk)) return { kind: 'cash', strength: 0 };
  if ((has('ROUNDING', 'ADJ', 'ADJUSTMENT') && !has('TOTAL')) || (has('ROUNDING') && has('ADJ', 'ADJUSTMENT'))) return { kind: 'rounding', strength: 0 };
  if (sub) return { kind: 'subtotal', strength: 1 };
  const taxWord = has('GST', 'TAX', 'VAT', 'SST', 'PPN') || /税额|稅額|税金|增值税/.test(cjk);
  const incl = has('INCL', 'INCLUSIVE', 'INCLUDING', 'INC', 'INCLUDED', 'INCLUDES', 'AFTER');
  const excl =
    has('EXCL', 'EXCLUSIVE', 'EXCLUDING', 'EXCLUDED', 'BEFORE', 'NET') &&
    !has('NETT') &&
    !(has('NET') && total && !has('EXCL', 'EXCLUSIVE', 'EXCLUDING', 'EXCLUDED', 'BEFORE'));
  if (total && excl && !incl) return { kind: 'subtotal', strength: 1 };
  if (taxWord && !incl && !has('INVOICE')) return { kind: 'tax', strength: total ? 2 : 1 };
  if (taxWord && has('INVOICE')) return null;
  if (total) {
    if (has('ROUNDED', 'ROUND') || (has('ROUNDING') && has('TOTAL'))) return { kind: 'total', strength: 5 };
    if (has('GRAND', 'NETT', 'NET', 'DUE', 'PAYABLE') || /合计|合計|总计|總計|应付|應付|实付|實付|价税合计/.test(cjk)) return { kind: 'total', strength: 4 };
    if (incl || has('AMOUNT', 'AMT', 'SALES', 'SALE', 'BILL')) return { kind: 'total', strength: 3 };
    return { kind: 'total', strength: 2 };
  }
  if (has('AMOUNT', 'AMT', 'BALANCE') && has('DUE', 'PAYABLE')) return { kind: 'total', strength: 4 };
  if (/金额|金額|总价|總價/.test(cjk)) return { kind: 'total', strength: 1.5 };
  return null;
}

export interface LabelledAmount {
  label: string;
  cls: LabelClass;
  amount: AmountMatch;
  line: DocLine;
  row: VisualRow;
  /** Position of the row among all rows (pages in order). */
  rank: number;
  /**
   * Another reading of the same characters when OCR split a number with spaces (`15 3.35` →
   * 153.35, `0.0 0`): only the payment arithmetic can tell which one is right.
   */
  alt?: AmountMatch;
}

/** The value text after a label read without OCR's slips inside the number, when that makes a two-decimal amount. */
function collapsedReading(valueText: string, base: AmountMatch): AmountMatch | undefined {
  const t = valueText
    .replace(/^[\s:：.]+/, '')
    .replace(/\b(RM|MYR|USD|SGD|EUR|RMB|CNY)\b/gi, '')
    .trim();
  // Spaces inside the number (`15 3.35`), or the decimal point read as `-`, `:` or `;` (`14-10`).
  const misread = /^\d+\s?[-:;]\s?\d{2}$/.test(t);
  if (!/^[\d][\d\s.,]*\d$/.test(t) && !misread) return undefined;
  if (!misread && !/\d\s+[\d.]|\.\s+\d/.test(t)) return undefined;
  const number = misread ? t.replace(/\s?[-:;]\s?/, '.') : t.replace(/\s+/g, '');
  const n = readNumber(number);
  if (!n || n.decimals !== 2 || n.value === base.value) return undefined;
  return { ...base, text: t, number, value: n.value, decimals: 2 };
}

/** Amounts worth considering after a label: decimal ones if any, else whole ones. */
function pickAmount(ms: AmountMatch[]): AmountMatch | null {
  const dec = ms.filter((m) => m.decimals > 0 || m.currency);
  const list = dec.length ? dec : ms;
  return list.length ? list[list.length - 1] : null;
}

/**
 * `S` glued before a figure with two decimals (`S8.20`) is the `$` that receipt fonts print narrow;
 * read so only where the document prints `$` before figures elsewhere.
 */
const DOLLAR_LOOKALIKE = /(?<![\p{L}\d$])S(?=\d{1,6}[.,]\d{2}(?!\d))/gu;
export const printsDollar = (rows: readonly VisualRow[]) => rows.some((r) => /\$\s?\d/.test(r.text));

/** Every (label, amount) pair of the document; `dollar`: the document prints `$` before its figures. */
export function labelledAmounts(rows: readonly VisualRow[], dollar = false): LabelledAmount[] {
  const out: LabelledAmount[] = [];
  const textOf = (l: DocLine) => (dollar ? l.text.replace(DOLLAR_LOOKALIKE, '$') : l.text);
  rows.forEach((row, rank) => {
    row.lines.forEach((line, li) => {
      // The label is the text before the first amount of the line (or the whole line).
      const lineText = textOf(line);
      const ms = findAmounts(lineText);
      const labelEnd = ms.length ? ms[0].index : lineText.length;
      const label = lineText.slice(0, labelEnd);
      if (!/\p{L}/u.test(label)) return;
      const cls = classifyLabel(label);
      if (!cls) return;
      // 1) the amount on the same line after the label; 2) on a line to its right in the row;
      // 3) on the row just below, if that row carries no label of its own.
      let amount = pickAmount(ms);
      let src = line;
      for (let k = li + 1; !amount && k < row.lines.length; k++) {
        const l = row.lines[k];
        if (classifyLabel(l.text.replace(/[\d.,\s$()-]+/g, ' ')) && /\p{L}{3,}/u.test(l.text)) break;
        amount = pickAmount(findAmounts(textOf(l)));
        src = l;
      }
      if (!amount && li === row.lines.length - 1) {
        const below = rows[rank + 1];
        if (below && below.page === row.page && below.bbox[1] - row.bbox[3] < 1.5 * row.height) {
          const text = below.text;
          const letters = text.replace(/\b(RM|MYR|USD|SGD|EUR|RMB|CNY)\b/gi, '').match(/\p{L}/gu) ?? [];
          if (letters.length <= 2) {
            for (const l of below.lines) {
              const a = pickAmount(findAmounts(textOf(l)));
              if (a) {
                amount = a;
                src = l;
              }
            }
          }
        }
      }
      if (!amount) return;
      // The value text starts after the label's last letter (`TOTAL RM 14-10` → `14-10`).
      const valueStart = label.search(/\p{L}[^\p{L}]*$/u) + 1;
      const alt = collapsedReading(src === line ? lineText.slice(valueStart) : textOf(src), amount);
      out.push({ label: label.trim(), cls, amount, line: src, row, rank, ...(alt ? { alt } : {}) });
    });
  });
  return out;
}
