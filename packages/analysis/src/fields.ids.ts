/**
 * Dates, phone numbers, e-mail addresses, invoice and receipt numbers and the document currency.
 *
 * Each is found by its pattern and weighed by its label: the date next to `DATE`/`日期` beats a
 * date elsewhere, a date labelled as an expiry or due date loses; the number after `INVOICE NO`
 * is the invoice number. Labels may sit on the same line, on another line of the same visual row,
 * or on the row above (two-column receipts print `DATE` over the value).
 */
import type { DateField, PartyField, TextField } from './analysis.schema.ts';
import { findDates } from './normalize.date.ts';
import { findAmounts } from './normalize.amount.ts';
import { spanBBox, type DocLine, type VisualRow } from './layout.lines.ts';

const DATE_LABEL = /\b(DATE|DATED|TARIKH|DATUM|FECHA|TGL|TANGGAL|INVOICE\s*DATE|BILL\s*DATE)\b|日期|开票日期|開票日期|日付/i;
const NOT_ISSUE_DATE = /\b(EXP(IRY|IRES|\.)?|VALID|DUE|BIRTH|DOB|BEST\s*BEFORE|USE\s*BY|PRINTED|MFG|MANUFACTURED|FROM|UNTIL|TILL)\b|到期|有效期/i;

const round2 = (x: number) => Math.round(Math.max(0, Math.min(1, x)) * 100) / 100;

function textField(line: DocLine, start: number, end: number, value: string, confidence: number, normalized?: string): TextField {
  return {
    value,
    ...(normalized !== undefined ? { normalized } : {}),
    text: line.text.slice(start, end),
    page: line.page,
    bbox: spanBBox(line, start, end),
    confidence: round2(confidence),
  };
}

/** Text that labels a line: what precedes it on its line and row, and the row above. */
function context(rows: readonly VisualRow[], rank: number, line: DocLine, index: number): { before: string; above: string } {
  const row = rows[rank];
  const left = row.lines.filter((l) => l.bbox[2] <= line.bbox[0] + 2).map((l) => l.text);
  const above = rank > 0 && rows[rank - 1].page === row.page ? rows[rank - 1] : null;
  // Only the part of the row above that stands over this line counts as its label.
  const over =
    above?.lines
      .filter((l) => l.bbox[0] < line.bbox[2] && line.bbox[0] < l.bbox[2])
      .map((l) => l.text)
      .join(' ') ?? '';
  return { before: [...left, line.text.slice(0, index)].join(' '), above: over };
}

export function extractDate(rows: readonly VisualRow[]): DateField | undefined {
  // Month-first documents show it on any date whose middle number is above 12; use that for the rest.
  const allText = rows.map((r) => r.text).join('\n');
  const monthFirst = findDates(allText, { dayFirst: true }).some(
    (d) => !d.ambiguous && /^\d{1,2}[/\-.]\d{1,2}[/\-.]/.test(d.text) && Number(d.text.split(/[/\-.]/)[1]) > 12,
  );
  let best: { f: DateField; s: number } | null = null;
  rows.forEach((row, rank) => {
    for (const line of row.lines) {
      for (const d of findDates(line.text, { dayFirst: !monthFirst })) {
        const { before, above } = context(rows, rank, line, d.index);
        let s = 1 - 0.01 * rank;
        const near = before.slice(-40);
        if (DATE_LABEL.test(near)) s += 3;
        else if (DATE_LABEL.test(above)) s += 2;
        if (NOT_ISSUE_DATE.test(near) || NOT_ISSUE_DATE.test(above)) s -= 4;
        if (/\d{1,2}:\d{2}/.test(line.text.slice(d.index + d.text.length))) s += 1;
        if (d.ambiguous) s -= 0.2;
        if (!best || s > best.s) {
          best = {
            s,
            f: {
              value: d.value,
              normalized: d.iso,
              text: d.text,
              page: line.page,
              bbox: spanBBox(line, d.index, d.index + d.text.length),
              confidence: round2(0.5 + 0.1 * s),
            },
          };
        }
      }
    }
  });
  return (best as { f: DateField } | null)?.f;
}

const PHONE_LABEL =
  /(\bTEL(EPHONE)?\b|\bPHONE\b|\bPH\b|\bH\/?P\b|\bMOBILE\b|\bMOB\b|\bCALL\b|\bT\s*[:.]|电话|電話|手机|联系电话)\s*(NO\.?|NUMBER)?\s*[:.#]?\s*/i;
const PHONE_NUMBER = /\+?\(?\d[\d\s\-()./]{5,18}\d/;
const PHONE_END = /\b(FAX|EMAIL|E-MAIL|GST|WWW|WEBSITE)\b|传真/i;

export function extractPhone(lines: readonly DocLine[]): TextField | undefined {
  for (const line of lines) {
    const lab = PHONE_LABEL.exec(line.text);
    if (!lab) continue;
    const restStart = lab.index + lab[0].length;
    let rest = line.text.slice(restStart);
    const end = PHONE_END.exec(rest);
    if (end) rest = rest.slice(0, end.index);
    const m = PHONE_NUMBER.exec(rest);
    if (!m) continue;
    const raw = m[0].trim();
    const digits = raw.replace(/[^\d+]/g, '');
    if (digits.replace('+', '').length < 6 || digits.replace('+', '').length > 15) continue;
    const start = restStart + m.index;
    return textField(line, start, start + raw.length, raw, 0.85, digits);
  }
  return undefined;
}

const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9-]+(\.[A-Z0-9-]+)*\.[A-Z]{2,}/i;

export function extractEmail(lines: readonly DocLine[]): TextField | undefined {
  for (const line of lines) {
    const m = EMAIL.exec(line.text);
    if (m) return textField(line, m.index, m.index + m[0].length, m[0], 0.9, m[0].toLowerCase());
  }
  return undefined;
}

// `NVOICE #`: the recogniser may lose the first glyph of a line, and no other word ends so.
const INVOICE_LABEL =
  /(\b(TAX\s*)?I?NVOICE\s*(NO|NUMBER|NUM|#)\.?|\bINV\.?\s*(NO|#)\.?|\bINV#|\bBILL\s*(NO|#)\.?|发票号码|發票號碼|发票号|INVOICE\s*:)\s*[:#.]?\s*/i;
const RECEIPT_LABEL =
  /(\bRECEIPT\s*(NO|NUMBER|#)\.?|\bRCPT\.?\s*(NO|#)?\.?|\bRECEIPT\s*:|\bDOC(UMENT)?\.?\s*(NO|#)\.?|\bCASH\s*BILL\s*(NO)?\.?|\bTRANS(ACTION)?\.?\s*(NO|#|ID)\.?|\bSLIP\s*(NO)?\.?|\bCHECK\s*(NO|#)\.?|\bORDER\s*(NO|#)\.?|收据号|单号|流水号)\s*[:#.]?\s*/i;
// An identifier: letters, digits and separators, with at least two digits.
const IDENT = /[A-Z0-9][A-Z0-9\-/.#]*[A-Z0-9]/i;

function labelledIdent(rows: readonly VisualRow[], label: RegExp): TextField | undefined {
  for (let rank = 0; rank < rows.length; rank++) {
    const row = rows[rank];
    for (let li = 0; li < row.lines.length; li++) {
      const line = row.lines[li];
      const lab = label.exec(line.text);
      if (!lab) continue;
      // The value after the label on the same line, else the next line of the row, else the row below.
      const candidates: { l: DocLine; from: number }[] = [{ l: line, from: lab.index + lab[0].length }];
      if (row.lines[li + 1]) candidates.push({ l: row.lines[li + 1], from: 0 });
      const below = rows[rank + 1];
      if (below && below.page === row.page) {
        const under = below.lines.find((l) => l.bbox[0] < line.bbox[2] + (line.bbox[2] - line.bbox[0]) && l.bbox[2] > line.bbox[0]);
        if (under) candidates.push({ l: under, from: 0 });
      }
      for (const { l, from } of candidates) {
        const rest = l.text.slice(from).replace(/^[\s:#.]+/, '');
        const offset = l.text.length - rest.length;
        const m = IDENT.exec(rest);
        if (!m || m.index > 2) continue;
        const v = m[0];
        if ((v.match(/\d/g) ?? []).length < 2) continue;
        if (findDates(v).length || (findAmounts(v).length === 1 && /^\d+\.\d{2}$/.test(v))) continue;
        const start = offset + m.index;
        return textField(l, start, start + v.length, v, l === line ? 0.8 : 0.65);
      }
    }
  }
  return undefined;
}

export function extractInvoiceNumber(rows: readonly VisualRow[]): TextField | undefined {
  return labelledIdent(rows, INVOICE_LABEL);
}

export function extractReceiptNumber(rows: readonly VisualRow[]): TextField | undefined {
  return labelledIdent(rows, RECEIPT_LABEL);
}

/** The document's currency: the code or symbol most amounts carry, else a currency word. */
export function extractCurrency(lines: readonly DocLine[]): TextField | undefined {
  const counts = new Map<string, { n: number; line: DocLine; start: number; end: number }>();
  for (const line of lines) {
    for (const a of findAmounts(line.text)) {
      if (!a.currency) continue;
      const c = counts.get(a.currency) ?? { n: 0, line, start: a.index, end: a.index + a.text.length };
      c.n++;
      counts.set(a.currency, c);
    }
    const m = /\((RM|MYR|USD|SGD|EUR|GBP|CNY|RMB|JPY)\)|\b(MYR|USD|SGD|EUR|GBP|CNY|RMB|JPY)\b|(?<![A-Z])RM(?![A-Z])/i.exec(line.text);
    if (m) {
      const code = { RM: 'MYR', RMB: 'CNY' }[(m[1] ?? m[2] ?? 'RM').toUpperCase()] ?? (m[1] ?? m[2] ?? 'RM').toUpperCase();
      const c = counts.get(code) ?? { n: 0, line, start: m.index, end: m.index + m[0].length };
      c.n += 0.5;
      counts.set(code, c);
    }
  }
  const best = [...counts.entries()].sort((a, b) => b[1].n - a[1].n)[0];
  if (!best) return undefined;
  const [code, c] = best;
  return textField(c.line, c.start, c.end, code, Math.min(0.95, 0.5 + 0.1 * c.n), code);
}

const BUYER_LABEL =
  /^\s*(BILL(ED)?\s*TO|SOLD\s*TO|INVOICE\s*TO|SHIP\s*TO|CUSTOMER(\s*NAME)?|BUYER|CLIENT|KEPADA|购买方(名称)?|購買方(名稱)?|购货单位|客户(名称)?)\s*[:：]?\s*/i;

/**
 * The buyer of an invoice: the name after `BILL TO` / `SOLD TO` / `CUSTOMER` / `购买方名称`, on the
 * same line or the line below (invoices print the label above an address block).
 */
export function extractBuyer(rows: readonly VisualRow[]): PartyField | undefined {
  for (let rank = 0; rank < rows.length; rank++) {
    for (const line of rows[rank].lines) {
      const lab = BUYER_LABEL.exec(line.text);
      if (!lab) continue;
      const from = lab.index + lab[0].length;
      const rest = line.text.slice(from).trim();
      if (rest.replace(/[^\p{L}]/gu, '').length >= 2) {
        const start = line.text.indexOf(rest, from);
        return { role: 'buyer', value: rest, text: rest, page: line.page, bbox: spanBBox(line, start, start + rest.length), confidence: 0.7 };
      }
      const below = rows[rank + 1];
      if (!below || below.page !== line.page) continue;
      const under = below.lines.find((l) => l.bbox[0] < line.bbox[2] && l.bbox[2] > line.bbox[0] - 20);
      if (under && under.text.replace(/[^\p{L}]/gu, '').length >= 2 && !BUYER_LABEL.test(under.text))
        return { role: 'buyer', value: under.text, text: under.text, page: under.page, bbox: under.bbox, confidence: 0.6 };
    }
  }
  return undefined;
}
