/**
 * Document kind from cue words and shape. A receipt records a payment that happened (cash,
 * change, cashier, thank you) and is a narrow strip; an invoice asks for one (bill to, due date,
 * payment terms), even when a receipt prints "TAX INVOICE" as its title; a report is mostly
 * prose, headings and tables; a form is mostly `label:` slots and check boxes.
 */
import type { OcrDocument } from '@ocrflow/core';
import type { DocumentKind } from './analysis.schema.ts';
import type { DocLine } from './layout.lines.ts';

const RECEIPT_CUES: RegExp[] = [
  /\bCASH(IER)?\b/i,
  /\bCHANGE\b/i,
  /\bRECEIPT\b/i,
  /\bTHANK\s*YOU\b/i,
  /\bCOME\s*AGAIN\b/i,
  /\bTENDERED\b/i,
  /\bROUNDING\b/i,
  /\bQTY\b/i,
  /\bSUB-?\s*TOTAL\b/i,
  /\bTOTAL\b/i,
  /\bVISA|MASTERCARD|DEBIT\s*CARD\b/i,
  /\bPAX\b|\bTABLE\s*(NO)?\b/i,
  /\bGOODS\s*SOLD\b/i,
  /\bCASH\s*BILL\b/i,
  /收据|小票|收银|找零|谢谢惠顾|欢迎光临/,
];
const INVOICE_CUES: RegExp[] = [
  /\bBILL\s*TO\b/i,
  /\bSHIP\s*TO\b/i,
  /\bSOLD\s*TO\b/i,
  /\bDUE\s*DATE\b/i,
  /\bPAYMENT\s*TERMS?\b/i,
  /\bTERMS\b/i,
  /\bP\.?O\.?\s*(NO|NUMBER|#)\b/i,
  /\bINVOICE\s*(NO|NUMBER|DATE|#)\b/i,
  /\bBANK\b|\bIBAN\b|\bSWIFT\b|\bACCOUNT\s*NO\b/i,
  /\bREMIT\b/i,
  /\bCUSTOMER\s*(NO|ID|CODE)\b/i,
  /\bAMOUNT\s*DUE\b|\bBALANCE\s*DUE\b/i,
  /发票|發票|购买方|销售方|价税合计/,
];
const REPORT_CUES: RegExp[] = [
  /\bREPORT\b/i,
  /\bSUMMARY\b/i,
  /\bABSTRACT\b/i,
  /\bINTRODUCTION\b/i,
  /\bCONCLUSIONS?\b/i,
  /\bRESULTS?\b/i,
  /\bFIGURE\s*\d/i,
  /\bTABLE\s*\d/i,
  /\bREFERENCES\b/i,
  /报告|報告|总结|結論|结论|说明|记录/,
];
const FORM_CUES: RegExp[] = [/\bNAME\s*:/i, /\bSIGNATURE\b/i, /\bAPPLICANT\b/i, /\bAPPLICATION\b/i, /[☐☑☒□■]/, /_{4,}/, /\bFORM\b/i, /申请|申請|签名|簽名|表$/];

function count(cues: RegExp[], text: string): number {
  return cues.reduce((n, re) => n + (re.test(text) ? 1 : 0), 0);
}

export function classifyKind(doc: OcrDocument, lines: readonly DocLine[]): { kind: DocumentKind; confidence: number } {
  const text = lines.map((l) => l.text).join('\n');
  if (!text.trim()) return { kind: 'other', confidence: 0.3 };
  const page = doc.pages[0];
  const tall = page ? page.height / Math.max(1, page.width) : 1;
  const amounts = (text.match(/\d+[.,]\d{2}(?!\d)/g) ?? []).length;
  const labelSlots = lines.filter((l) => /^[^:：]{2,30}[:：]\s*$/.test(l.text) || /[:：]\s*_{2,}/.test(l.text)).length;
  const longLines = lines.filter((l) => l.text.split(/\s+/).length >= 8 || l.text.length >= 40).length;
  const tables = doc.pages.reduce((n, p) => n + p.blocks.filter((b) => b.type === 'table').length, 0);

  const score: Record<DocumentKind, number> = {
    receipt: count(RECEIPT_CUES, text) + (tall > 1.8 ? 2 : 0) + (amounts >= 3 ? 1 : 0),
    invoice: count(INVOICE_CUES, text) * 1.5 + (/\bINVOICE\b|发票|發票/i.test(text) ? 1 : 0) + (amounts >= 3 ? 0.5 : 0),
    report: count(REPORT_CUES, text) + (longLines / Math.max(1, lines.length) > 0.3 ? 2 : 0) + Math.min(2, tables) + (doc.pages.length > 2 ? 1 : 0),
    form: count(FORM_CUES, text) + Math.min(3, labelSlots / 3),
    other: 1.5,
  };
  // Receipts titled "TAX INVOICE" stay receipts when the payment lines are there.
  if (/\bCHANGE\b|找零/i.test(text) && /\bCASH\b|现金/i.test(text)) score.receipt += 2;
  const ranked = (Object.entries(score) as [DocumentKind, number][]).sort((a, b) => b[1] - a[1]);
  const [top, second] = ranked;
  const confidence = Math.max(0.3, Math.min(0.98, 0.5 + (top[1] - second[1]) / 10));
  return { kind: top[0], confidence: Math.round(confidence * 100) / 100 };
}
