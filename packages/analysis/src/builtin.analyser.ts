/**
 * The built-in analyser: no network, no model, a few milliseconds per page. It reads the document
 * model's layout (rows, positions, glyph heights) with the rules of `fields.*.ts`, classifies the
 * kind and checks the tables.
 */
import type { OcrDocument } from '@ocrflow/core';
import { ANALYSIS_SCHEMA, type Analysis, type AnalysisFields, type PartyField } from './analysis.schema.ts';
import { collectLines, groupRows } from './layout.lines.ts';
import { classifyKind } from './kind.classify.ts';
import { extractHeader } from './fields.header.ts';
import { extractAmounts } from './fields.amounts.ts';
import { extractBuyer, extractCurrency, extractDate, extractEmail, extractInvoiceNumber, extractPhone, extractReceiptNumber } from './fields.ids.ts';
import { analyseTables } from './tables.stats.ts';
import { calibrate, squash, CHECK_BELOW, SCORED_FIELDS, type Calibration, type ScoredField } from './confidence.calibrate.ts';
import { CALIBRATION } from './confidence.table.ts';
import { fieldEvidence } from './fields.evidence.ts';

export interface BuiltinOptions {
  /**
   * How raw evidence scores become confidences of the four key fields: the fitted table
   * (default), another one (calibration fitting on folds), or null for the raw score squashed
   * into 0…1 (what a calibration is fitted on).
   */
  calibration?: Calibration | null;
  /** Receives each key field's raw evidence score (what calibrations are fitted on). */
  onEvidence?: (field: ScoredField, score: number) => void;
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 1000) / 1000;

export function analyseBuiltin(doc: OcrDocument, opts: BuiltinOptions = {}): Analysis {
  const t0 = performance.now();
  const lines = collectLines(doc);
  const rows = groupRows(lines);
  const tLayout = ms(t0);

  const t1 = performance.now();
  const { kind, confidence } = classifyKind(doc, lines);
  const tKind = ms(t1);

  const t2 = performance.now();
  const fields: AnalysisFields = {};
  const pageHeight = doc.pages[0]?.height ?? 0;
  const header = extractHeader(rows, pageHeight || Math.max(1, ...lines.map((l) => l.bbox[3])));
  const currency = extractCurrency(lines);
  const amounts = extractAmounts(rows, currency?.value ?? null);
  const date = extractDate(rows);
  Object.assign(fields, {
    ...(header.company ? { company: header.company } : {}),
    ...(date ? { date } : {}),
    ...(header.address ? { address: header.address } : {}),
    ...amounts,
  });
  const invoiceNumber = extractInvoiceNumber(rows);
  const receiptNumber = extractReceiptNumber(rows);
  if (invoiceNumber) fields.invoice_number = invoiceNumber;
  if (receiptNumber && receiptNumber.value !== invoiceNumber?.value) fields.receipt_number = receiptNumber;
  const phone = extractPhone(lines);
  if (phone) fields.phone = phone;
  const email = extractEmail(lines);
  if (email) fields.email = email;
  if (currency) fields.currency = currency;
  const cal = opts.calibration === undefined ? CALIBRATION : opts.calibration;
  for (const f of SCORED_FIELDS) {
    const fld = fields[f];
    if (!fld) continue;
    const ev = fieldEvidence(f, fld, lines);
    opts.onEvidence?.(f, ev);
    fld.confidence = cal ? calibrate(cal[f], ev) : squash(ev);
    // Only a calibrated confidence says how often the field is wrong.
    if (cal) fld.check = fld.confidence < CHECK_BELOW;
  }
  const parties: PartyField[] = [];
  if (header.company) {
    const { normalized: _n, ...company } = header.company;
    parties.push({ ...company, role: 'seller' });
  }
  const buyer = extractBuyer(rows);
  if (buyer) parties.push(buyer);
  if (parties.length) fields.parties = parties;
  const tFields = ms(t2);

  const t3 = performance.now();
  const tables = analyseTables(doc);
  const tTables = ms(t3);

  return {
    schema: ANALYSIS_SCHEMA,
    analyser: 'builtin',
    kind,
    kind_confidence: confidence,
    fields,
    tables,
    timings_ms: { layout: tLayout, kind: tKind, fields: tFields, tables: tTables, total: ms(t0) },
  };
}
