/**
 * The LLM analyser: any OpenAI-compatible chat-completions endpoint (vLLM, Ollama, llama.cpp
 * server, hosted APIs) is given the document's Markdown and asked for the analysis fields with
 * structured output (`response_format: json_schema`, strict). The answer is validated against the
 * same schema; boxes are recovered by finding the quoted text in the OCR lines.
 *
 * Any failure — timeout, HTTP error, malformed JSON, schema violation, refusal — falls back to the
 * built-in analyser, logged, with `fallback_reason` set: analysis must never fail a job. The
 * request is core's `chatCompletion` (the vlm engine's too), made once, without retries.
 */
import { chatCompletion, documentToMarkdown, isOcrflowError, type ChatCompletionAnswer, type OcrDocument, type RetryPolicy } from '@ocrflow/core';
import type { Analysis, AnalysisFields, AmountField, DateField, LlmAnswer, PartyField, TextField } from './analysis.schema.ts';
import { llmAnswerJsonSchema } from './analysis.schema.ts';
import { validateAnalysis, validateLlmAnswer } from './analysis.validate.ts';
import { analyseBuiltin } from './builtin.analyser.ts';
import { collectLines, groupRows, spanBBox, type DocLine } from './layout.lines.ts';
import { formatAmount } from './normalize.amount.ts';
import type { AnalysisLogger } from './analysis.logger.ts';

export interface LlmOptions {
  /** Base URL ending in `/v1` (the `/chat/completions` path is appended). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  logger: AnalysisLogger;
  /** Cancels the request together with the timeout (a job being canceled). */
  signal?: AbortSignal;
  /** Longest Markdown sent, in characters (long documents are cut; the built-in tables stay complete). */
  maxChars?: number;
}

export const LLM_SYSTEM_PROMPT = [
  'You extract key facts from business documents (receipts, invoices, reports, forms) that were read by OCR.',
  'Answer with JSON that matches the given schema and nothing else.',
  'Copy values exactly as they are written in the document: do not translate, correct or reformat them.',
  'Use null for a field the document does not show.',
  'company: the name of the issuing business; address: its address, lines joined with single spaces.',
  'date: value is the issue date as written, without the time of day; normalized is the same date as YYYY-MM-DD.',
  'total: the final amount payable (after tax and rounding); value is a number, text the amount as written.',
  'currency: ISO 4217 code when the document shows a currency.',
].join('\n');

/** Why an answer could not be used. */
class LlmFailure extends Error {}

/** One attempt: a failed analysis falls back to the built-in rules at once. */
const NO_RETRY: RetryPolicy = { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 };

/** The failure of the request, in the words of `fallback_reason`. */
function requestFailure(e: unknown, o: LlmOptions): LlmFailure {
  if (!isOcrflowError(e)) return new LlmFailure(`request failed: ${(e as Error).message}`);
  const d = e.details ?? {};
  if (e.code === 'OCRFLOW_ERR_CANCELED') return new LlmFailure('canceled');
  if (d.reason === 'timeout') return new LlmFailure(`timeout after ${o.timeoutMs} ms`);
  if (typeof d.status === 'number') return new LlmFailure(`HTTP ${d.status}: ${String(d.answer ?? '').slice(0, 200)}`);
  if (d.reason === 'not_json') return new LlmFailure('malformed response: the body is not JSON');
  if (d.reason === 'no_content') return new LlmFailure('malformed response: no choices[0].message.content');
  if (d.reason === 'refusal') return new LlmFailure(`refused: ${String(d.refusal)}`);
  return new LlmFailure(`request failed: ${typeof d.answer === 'string' ? d.answer : e.message}`);
}

async function callLlm(markdown: string, o: LlmOptions): Promise<{ answer: LlmAnswer; ms: number }> {
  const t0 = performance.now();
  let message: ChatCompletionAnswer;
  try {
    message = await chatCompletion(
      { baseUrl: o.baseUrl, apiKey: o.apiKey, name: `the LLM endpoint ${o.baseUrl}`, timeoutMs: o.timeoutMs, retry: NO_RETRY, signal: o.signal },
      {
        model: o.model,
        temperature: 0,
        messages: [
          { role: 'system', content: LLM_SYSTEM_PROMPT },
          { role: 'user', content: `Document (Markdown from OCR):\n\n${markdown}` },
        ],
        response_format: { type: 'json_schema', json_schema: { name: 'ocrflow_analysis', strict: true, schema: llmAnswerJsonSchema } },
      },
    );
  } catch (e) {
    throw requestFailure(e, o);
  }
  if (message.refusal) throw new LlmFailure(`refused: ${message.refusal.slice(0, 200)}`);
  // Servers without structured output sometimes wrap the JSON in a Markdown fence.
  const content = message.content.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1');
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (e) {
    throw new LlmFailure(`malformed JSON: ${(e as Error).message.slice(0, 120)}`);
  }
  const v = validateLlmAnswer(parsed);
  if (!v.ok) throw new LlmFailure(`schema violation: ${v.errors.join('; ')}`);
  return { answer: v.value, ms: performance.now() - t0 };
}

const squash = (s: string) => s.toUpperCase().replace(/\s+/g, '');

/** Page and box of a quoted text: within one line, else over consecutive rows (addresses). */
function locate(lines: readonly DocLine[], rows: ReturnType<typeof groupRows>, quote: string): { page: number; bbox: DocLine['bbox'] | null } {
  const q = squash(quote);
  if (!q) return { page: 0, bbox: null };
  for (const l of lines) {
    const t = l.text.toUpperCase();
    const at = t.indexOf(quote.toUpperCase().trim());
    if (at >= 0) return { page: l.page, bbox: spanBBox(l, at, at + quote.trim().length) };
    if (squash(l.text).includes(q)) return { page: l.page, bbox: l.bbox };
  }
  for (let i = 0; i < rows.length; i++) {
    let acc = '';
    for (let j = i; j < Math.min(rows.length, i + 8) && rows[j].page === rows[i].page; j++) {
      acc += squash(rows[j].text);
      if (!q.startsWith(acc) && !acc.includes(q)) break;
      if (acc.includes(q) || acc === q) {
        const bs = rows.slice(i, j + 1).map((r) => r.bbox);
        return { page: rows[i].page, bbox: [Math.min(...bs.map((b) => b[0])), bs[0][1], Math.max(...bs.map((b) => b[2])), bs[bs.length - 1][3]] };
      }
    }
  }
  return { page: 0, bbox: null };
}

function toFields(a: LlmAnswer, doc: OcrDocument): AnalysisFields {
  const lines = collectLines(doc);
  const rows = groupRows(lines);
  const src = (text: string) => {
    const { page, bbox } = locate(lines, rows, text);
    return { text, page, bbox, confidence: bbox ? 0.8 : 0.6 };
  };
  const out: AnalysisFields = {};
  const f = a.fields;
  const text = (x: { value: string; text: string } | null): TextField | undefined => (x ? { value: x.value, ...src(x.text || x.value) } : undefined);
  const amount = (x: LlmAnswer['fields']['total']): AmountField | undefined =>
    x ? { value: x.value, currency: x.currency, normalized: formatAmount(x.value), ...src(x.text || String(x.value)) } : undefined;
  const date: DateField | undefined = f.date ? { value: f.date.value, normalized: f.date.normalized, ...src(f.date.text || f.date.value) } : undefined;
  const set = <K extends keyof AnalysisFields>(k: K, v: AnalysisFields[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('company', text(f.company));
  set('date', date);
  set('address', text(f.address));
  set('total', amount(f.total));
  set('tax', amount(f.tax));
  set('subtotal', amount(f.subtotal));
  set('invoice_number', text(f.invoice_number));
  set('receipt_number', text(f.receipt_number));
  set('phone', text(f.phone));
  set('email', text(f.email));
  set('currency', text(f.currency));
  if (f.parties?.length)
    set(
      'parties',
      f.parties.map((p): PartyField => ({ value: p.value, role: p.role, ...src(p.text || p.value) })),
    );
  return out;
}

/** Analyse with the LLM; on any failure, the built-in analysis with `fallback_reason`. */
export async function analyseWithLlm(doc: OcrDocument, o: LlmOptions): Promise<Analysis> {
  const t0 = performance.now();
  // The built-in pass is cheap and needed either way: table checks come from it, and it is the fallback.
  const builtin = analyseBuiltin(doc);
  const maxChars = o.maxChars ?? 60_000;
  const md = documentToMarkdown(doc);
  const markdown = md.length > maxChars ? md.slice(0, maxChars) + '\n\n[… truncated]' : md;
  try {
    if (!o.model) throw new LlmFailure('no model configured (OCRFLOW_LLM_MODEL)');
    const { answer, ms } = await callLlm(markdown, o);
    const result: Analysis = {
      schema: builtin.schema,
      analyser: 'llm',
      model: o.model,
      kind: answer.kind,
      kind_confidence: 0.8,
      fields: toFields(answer, doc),
      tables: builtin.tables,
      timings_ms: { ...builtin.timings_ms, llm: Math.round(ms), total: Math.round(performance.now() - t0) },
    };
    const v = validateAnalysis(result);
    if (!v.ok) throw new LlmFailure(`schema violation: ${v.errors.join('; ')}`);
    return result;
  } catch (e) {
    const reason = e instanceof LlmFailure ? e.message : `unexpected error: ${(e as Error).message}`;
    o.logger.warn({ reason, model: o.model, base_url: o.baseUrl }, 'LLM analysis failed; using the built-in analyser');
    return { ...builtin, fallback_reason: reason, timings_ms: { ...builtin.timings_ms, total: Math.round(performance.now() - t0) } };
  }
}
