/**
 * Total, subtotal and tax of a receipt or invoice.
 *
 * The total is the amount the customer pays. Candidates are the amounts of total labels
 * (`fields.labels.ts`); each is weighed by its label (rounded, grand, nett, due, payable and
 * including-tax labels name the final figure; a bare `TOTAL` less surely) and by the receipt's own
 * arithmetic, which OCR errors rarely break in the same way twice:
 *
 * - paid: cash − change;
 * - parts: subtotal + tax + rounding (or subtotal + rounding when the subtotal includes tax), and an
 *   unrounded total plus the rounding adjustment printed after it.
 *
 * A figure either confirms gains; a `TOTAL` printed after the change line (a tax summary's column
 * total) loses; ties go to the lower row, since receipts print running totals downwards. When no
 * labelled figure fits, an amount elsewhere that both paid and parts confirm is taken — printed
 * under a label OCR garbled (`TOT\" RM`), or, if printed nowhere readable, the arithmetic itself
 * (with no box).
 */
import type { AmountField } from './analysis.schema.ts';
import { findAmounts, formatAmount, type AmountMatch } from './normalize.amount.ts';
import { spanBBox, type DocLine, type VisualRow } from './layout.lines.ts';
import { classifyLabel, labelledAmounts, printsDollar, type LabelledAmount } from './fields.labels.ts';

export { editDistance } from './fields.labels.ts';

const near = (a: number, b: number) => Math.abs(a - b) < 0.005;
const round2 = (x: number) => Math.round(x * 100) / 100;
const clamp01 = (x: number) => Math.round(Math.max(0, Math.min(1, x)) * 100) / 100;

interface Candidate {
  amount: AmountMatch;
  line: DocLine | null;
  rank: number;
  strength: number;
}

function toField(c: Candidate, confidence: number, docCurrency: string | null): AmountField {
  const a = c.amount;
  let bbox = null;
  if (c.line) {
    const at = c.line.text.slice(a.index, a.index + a.text.length) === a.text ? a.index : c.line.text.indexOf(a.text);
    bbox = at >= 0 ? spanBBox(c.line, at, at + a.text.length) : c.line.bbox;
  }
  return {
    value: a.value,
    currency: a.currency ?? docCurrency,
    normalized: formatAmount(a.value),
    text: a.text,
    page: c.line?.page ?? 0,
    bbox,
    confidence: clamp01(confidence),
  };
}

export interface AmountFields {
  total?: AmountField;
  subtotal?: AmountField;
  tax?: AmountField;
}

/**
 * Amounts equal to `value` printed in rows [from, to). The first one counts most: a total is
 * printed before the cash line that repeats it.
 */
function printed(rows: readonly VisualRow[], value: number, from: number, to: number): Candidate[] {
  const out: Candidate[] = [];
  for (let r = Math.max(0, from); r < Math.min(to, rows.length); r++)
    for (const l of rows[r].lines)
      for (const a of findAmounts(l.text))
        if (a.decimals === 2 && near(a.value, value)) out.push({ amount: a, line: l, rank: r, strength: 1 - 0.1 * out.length });
  return out;
}

export function extractAmounts(rows: readonly VisualRow[], docCurrency: string | null): AmountFields {
  const all = labelledAmounts(rows, printsDollar(rows));
  const out: AmountFields = {};
  // The payment lines: the first change, and the cash line closest above it.
  const change = all.find((c) => c.cls.kind === 'change');
  const cashes = all.filter((c) => c.cls.kind === 'cash' && (!change || c.rank <= change.rank));
  const cash = cashes[cashes.length - 1];
  const paid = cash && change && cash.amount.value > 0 && cash.amount.decimals > 0 ? round2(cash.amount.value - Math.abs(change.amount.value)) : null;
  const paymentRank = change ? change.rank : cash ? cash.rank : Infinity;
  const firstPayment = cash ? cash.rank : paymentRank;

  const sub = all.find((c) => c.cls.kind === 'subtotal' && c.amount.value > 0 && c.rank < firstPayment);
  const taxes = all.filter((c) => c.cls.kind === 'tax' && c.amount.value >= 0 && c.rank < firstPayment);
  const tax = [...taxes].sort((a, b) => b.cls.strength - a.cls.strength || a.rank - b.rank)[0];
  const rounding = all.find((c) => c.cls.kind === 'rounding' && Math.abs(c.amount.value) < 1 && c.rank < firstPayment);
  const parts: number[] = [];
  if (sub) {
    const adj = rounding?.amount.value ?? 0;
    parts.push(round2(sub.amount.value + adj));
    if (tax) parts.push(round2(sub.amount.value + tax.amount.value + adj));
  }
  // An unrounded total followed by its rounding adjustment points at the rounded figure.
  if (rounding && !near(rounding.amount.value, 0))
    for (const c of all) if (c.cls.kind === 'total' && c.cls.strength < 5 && c.rank < rounding.rank) parts.push(round2(c.amount.value + rounding.amount.value));
  const confirmed = (v: number) => (paid !== null && near(v, paid) ? 2 : 0) + (parts.some((p) => near(v, p)) ? 2 : 0);

  const labelled = all.filter((c) => c.cls.kind === 'total');
  const candidates: Candidate[] = [];
  for (const c of labelled) {
    if (c.amount.value > 0) candidates.push({ amount: c.amount, line: c.line, rank: c.rank, strength: c.cls.strength });
    // A total is never negative: a dash between the currency and a total's figure (`RM - 38.80`) is
    // a separator, read weaker than a plain figure.
    else if (c.amount.value < 0)
      candidates.push({
        amount: { ...c.amount, value: -c.amount.value, text: c.amount.text.replace(/\s*-\s*(?=\d)/, ' ').trim() },
        line: c.line,
        rank: c.rank,
        strength: c.cls.strength - 1,
      });
    if (c.alt && c.alt.value > 0) candidates.push({ amount: c.alt, line: c.line, rank: c.rank, strength: c.cls.strength - 0.5 });
  }
  // Figures the arithmetic points at, printed elsewhere before the payment lines (under a label
  // OCR garbled, or on their own row below a rounding adjustment), or on the cash line of an exact payment.
  const targets = [...new Set([...(paid !== null ? [paid] : []), ...parts].filter((v) => v > 0).map(formatAmount))].map(Number);
  for (const v of targets) candidates.push(...printed(rows, v, sub ? sub.rank + 1 : 0, paymentRank + 1).slice(0, 2));

  const anyDecimal = candidates.some((c) => c.amount.decimals > 0);
  let best: Candidate | null = null;
  let bestScore = -Infinity;
  for (const c of candidates) {
    let s = c.strength + confirmed(c.amount.value);
    if (labelled.some((o) => o.line !== c.line && near(o.amount.value, c.amount.value))) s += 1;
    if (c.rank > paymentRank) s -= 2.5;
    if (anyDecimal && c.amount.decimals === 0 && !c.amount.currency) s -= 1.5;
    s += 0.001 * c.rank;
    if (s > bestScore) {
      bestScore = s;
      best = c;
    }
  }
  // Paid and parts agree but no readable figure shows it: the arithmetic is the total. A figure
  // printed under a rounded-total label is read, not inferred: it stands even when the payment
  // lines disagree with it (a rounding adjustment printed without its sign).
  if ((!best || (confirmed(best.amount.value) === 0 && best.strength < 5)) && paid !== null && paid > 0 && parts.some((p) => near(p, paid))) {
    const text = formatAmount(paid);
    best = { amount: { text, number: text, value: paid, currency: null, symbol: null, decimals: 2, index: 0 }, line: null, rank: paymentRank, strength: 0 };
    bestScore = 2;
  }
  // No figure under any total label, but a payment without change: the customer paid exactly the
  // total (a prepaid fuel chit prints `TOTAL AMOUNT` and the figure only on its `CASH` line).
  if (
    !best &&
    cash &&
    !change &&
    rows.some((r, i) => i < cash.rank && classifyLabel(r.text)?.kind === 'total') &&
    cash.amount.value > 0 &&
    cash.amount.decimals > 0
  ) {
    best = { amount: cash.amount, line: cash.line, rank: cash.rank, strength: 0.5 };
    bestScore = 0.5;
  }
  if (best) out.total = toField(best, 0.35 + 0.1 * bestScore, docCurrency);

  const asCandidate = (c: LabelledAmount): Candidate => ({ amount: c.amount, line: c.line, rank: c.rank, strength: c.cls.strength });
  if (sub) out.subtotal = toField(asCandidate(sub), 0.6, docCurrency);
  if (tax && (!out.total || tax.amount.value < out.total.value)) out.tax = toField(asCandidate(tax), 0.5 + 0.1 * tax.cls.strength, docCurrency);
  return out;
}
