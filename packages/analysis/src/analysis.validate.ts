/**
 * Validation of analysis objects and LLM answers against the JSON Schemas of `analysis.schema.ts`
 * (ajv, the validator fastify itself uses), plus the checks a schema cannot express: an ISO date
 * must exist in the calendar, amounts must be finite.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { analysisJsonSchema, llmAnswerJsonSchema, type Analysis, type LlmAnswer } from './analysis.schema.ts';
import { isValidIsoDate } from './normalize.date.ts';

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

const ajv = new Ajv({ allErrors: true, strict: false });
let analysisValidator: ValidateFunction | undefined;
let llmValidator: ValidateFunction | undefined;

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

function dateErrors(fields: Record<string, unknown> | undefined, prefix: string): string[] {
  const date = fields?.date as { normalized?: unknown } | null | undefined;
  if (date && typeof date.normalized === 'string' && !isValidIsoDate(date.normalized))
    return [`${prefix}/fields/date/normalized ${date.normalized} is not a calendar date`];
  return [];
}

/** Check a whole analysis (what we store and serve). */
export function validateAnalysis(x: unknown): Validation<Analysis> {
  analysisValidator ??= ajv.compile(analysisJsonSchema);
  if (!analysisValidator(x)) return { ok: false, errors: describe(analysisValidator.errors) };
  const errors = dateErrors((x as Analysis).fields as Record<string, unknown>, '');
  return errors.length ? { ok: false, errors } : { ok: true, value: x as Analysis };
}

/** Check an LLM's parsed JSON answer. */
export function validateLlmAnswer(x: unknown): Validation<LlmAnswer> {
  llmValidator ??= ajv.compile(llmAnswerJsonSchema);
  if (!llmValidator(x)) return { ok: false, errors: describe(llmValidator.errors) };
  const a = x as LlmAnswer;
  const errors = dateErrors(a.fields as unknown as Record<string, unknown>, '');
  for (const k of ['total', 'tax', 'subtotal'] as const) {
    const v = a.fields[k];
    if (v && !Number.isFinite(v.value)) errors.push(`/fields/${k}/value is not a finite number`);
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: a };
}
