/**
 * The SROIE task-3 view of an analysis: the four fields `company`, `date`, `address`, `total` as
 * strings the way SROIE annotates them — the date as written, the total as printed without a
 * currency *code* (`RM 9.00` → `9.00`) but with an attached currency *symbol* (`$8.20`).
 */
import type { Analysis } from './analysis.schema.ts';
import { readNumber } from './normalize.amount.ts';

export interface SroieFields {
  company: string;
  date: string;
  address: string;
  total: string;
}

export const SROIE_FIELDS = ['company', 'date', 'address', 'total'] as const;

/**
 * The amount as printed: a currency code set apart from the figure removed (`RM 3.90` → `3.90`), one
 * glued to it kept (`RM4.00`, transcribed as one token, the way SROIE's annotators wrote it), symbols
 * kept (`$8.20`).
 */
export function amountAsPrinted(text: string): string {
  return (
    text
      .replace(/(?<![A-Z])(RM|MYR|USD|SGD|HKD|AUD|CAD|EUR|GBP|CNY|RMB|JPY|INR|IDR|THB|PHP|VND|KRW|CHF|RP)(?![A-Z\d])/gi, '')
      // OCR spaces inside the number (`30 .90`, `15 3.35`, `4.9 0`): the print has none.
      .replace(/(?<=[\d.,])\s+(?=[\d.,])/g, '')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** The printed form when the text spells the value; the fixed two-decimal form when OCR garbled it (`14-10`). */
function totalAsPrinted(text: string, value: number, normalized: string | undefined): string {
  const printed = amountAsPrinted(text);
  const n = readNumber(printed.replace(/^[^\d]+/, ''));
  return n && Math.abs(n.value - Math.abs(value)) < 0.005 ? printed : (normalized ?? String(value));
}

export function toSroieFields(a: Analysis): SroieFields {
  const f = a.fields;
  return {
    company: f.company?.value ?? '',
    date: f.date?.value ?? '',
    address: f.address?.value ?? '',
    total: f.total ? totalAsPrinted(f.total.text, f.total.value, f.total.normalized) : '',
  };
}
