/**
 * The analysis result (`ocrflow.analysis/1`): key facts of a document, each with the text span and
 * box it came from, plus numeric checks of its tables. Field names are snake_case because this
 * object is also the public JSON of `GET /v1/jobs/{id}/analysis` and of `analysis.json`.
 *
 * The TypeScript types and the JSON Schemas below describe the same shape twice on purpose: the
 * types serve the code, the schemas serve the LLM (`response_format: json_schema`) and the
 * validator (ajv), so what we ask the model for is exactly what we check.
 */
import type { BBox } from '@ocrflow/core';

export const ANALYSIS_SCHEMA = 'ocrflow.analysis/1' as const;
export const DOCUMENT_KINDS = ['receipt', 'invoice', 'report', 'form', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export type AnalyserName = 'builtin' | 'llm';

/** Where a field value was read: the exact text span, its page and box. */
export interface FieldSource {
  /** The characters of the document the value was read from, as recognised. */
  text: string;
  /** 0-based page index. */
  page: number;
  /** Box of the span in page pixels; null when it could not be located (e.g. an LLM paraphrase). */
  bbox: BBox | null;
  /** 0..1: how sure the analyser is that this is the right value. */
  confidence: number;
  /**
   * Set on the key fields (company, date, address, total) of the built-in analyser, whose
   * confidences are calibrated: true when the confidence is below `CHECK_BELOW` (0.9), i.e. more
   * than one such field in ten was wrong on receipts with known answers — a person should check it.
   */
  check?: boolean;
}

export interface TextField extends FieldSource {
  value: string;
  /** A canonical form where one exists (phone digits, lower-cased e-mail). */
  normalized?: string;
}

export interface DateField extends FieldSource {
  /** The date as written on the document (`25/12/2018`, `12 Jan 2019`); no time of day. */
  value: string;
  /** ISO 8601 calendar date, `YYYY-MM-DD`. */
  normalized: string;
}

export interface AmountField extends FieldSource {
  /** The amount as a number (negative for `(12.00)` and `-12.00`). */
  value: number;
  /** ISO 4217 code when the document shows one or a symbol maps to one, else null. */
  currency: string | null;
  /** Fixed two-decimal form, e.g. `1234.50`. */
  normalized?: string;
}

export interface PartyField extends FieldSource {
  value: string;
  role: 'seller' | 'buyer';
}

export interface AnalysisFields {
  company?: TextField;
  date?: DateField;
  address?: TextField;
  total?: AmountField;
  tax?: AmountField;
  subtotal?: AmountField;
  invoice_number?: TextField;
  receipt_number?: TextField;
  phone?: TextField;
  email?: TextField;
  currency?: TextField;
  parties?: PartyField[];
}

export type FieldName = Exclude<keyof AnalysisFields, 'parties'>;
export const TEXT_FIELDS = ['company', 'address', 'invoice_number', 'receipt_number', 'phone', 'email', 'currency'] as const;
export const AMOUNT_FIELDS = ['total', 'tax', 'subtotal'] as const;

export interface ColumnStats {
  col: number;
  /** Header text of the column (its section's header rows), when there is one. */
  header: string | null;
  /** First and last body row the statistics cover (a section of the grid). */
  rows: [number, number];
  /** Number of numeric cells (header and total rows excluded). */
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** A total that does not equal the sum it claims to be. */
export interface TableMismatch {
  /** `row`: a row's total column vs. the sum of its other numeric cells; `column`: a total row vs. the column above. */
  kind: 'row' | 'column';
  row: number;
  col: number;
  /** What the table states. */
  stated: number;
  /** What the cells add up to. */
  computed: number;
  /** The total row's or column's label (`合计`, `TOTAL`). */
  label: string | null;
}

export interface TableAnalysis {
  page: number;
  block_id: string;
  n_rows: number;
  n_cols: number;
  columns: ColumnStats[];
  /** Rows recognised as total rows (合计/总计/TOTAL/小计), 0-based. */
  total_rows: number[];
  mismatches: TableMismatch[];
}

export interface Analysis {
  schema: typeof ANALYSIS_SCHEMA;
  analyser: AnalyserName;
  /** Set when an LLM was configured but its answer could not be used. */
  fallback_reason?: string;
  /** LLM model name when `analyser` is `llm`. */
  model?: string;
  kind: DocumentKind;
  kind_confidence: number;
  fields: AnalysisFields;
  tables: TableAnalysis[];
  /** Milliseconds per step (`kind`, `fields`, `tables`, `llm`, `total`). */
  timings_ms: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// JSON Schemas
// ---------------------------------------------------------------------------------------------

type JsonSchema = Record<string, unknown>;

const ISO_DATE = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';
const bboxSchema: JsonSchema = { type: ['array', 'null'], items: { type: 'number' }, minItems: 4, maxItems: 4 };
const sourceProps: Record<string, JsonSchema> = {
  text: { type: 'string' },
  page: { type: 'integer', minimum: 0 },
  bbox: bboxSchema,
  confidence: { type: 'number', minimum: 0, maximum: 1 },
  check: { type: 'boolean' },
};
const SOURCE_REQUIRED = ['text', 'page', 'bbox', 'confidence'];

const textFieldSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['value', ...SOURCE_REQUIRED],
  properties: { value: { type: 'string', minLength: 1 }, normalized: { type: 'string' }, ...sourceProps },
};
const dateFieldSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['value', 'normalized', ...SOURCE_REQUIRED],
  properties: { value: { type: 'string', minLength: 1 }, normalized: { type: 'string', pattern: ISO_DATE }, ...sourceProps },
};
const amountFieldSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['value', 'currency', ...SOURCE_REQUIRED],
  properties: {
    value: { type: 'number' },
    currency: { type: ['string', 'null'], pattern: '^[A-Z]{3}$' },
    normalized: { type: 'string' },
    ...sourceProps,
  },
};
const partyFieldSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['value', 'role', ...SOURCE_REQUIRED],
  properties: { value: { type: 'string', minLength: 1 }, role: { enum: ['seller', 'buyer'] }, ...sourceProps },
};

/** JSON Schema of a whole {@link Analysis} (stored `analysis.json`, the HTTP route's answer). */
export const analysisJsonSchema: JsonSchema = {
  $id: 'https://ocrflow.dev/schemas/analysis-1.json',
  type: 'object',
  additionalProperties: false,
  required: ['schema', 'analyser', 'kind', 'kind_confidence', 'fields', 'tables', 'timings_ms'],
  properties: {
    schema: { const: ANALYSIS_SCHEMA },
    analyser: { enum: ['builtin', 'llm'] },
    fallback_reason: { type: 'string' },
    model: { type: 'string' },
    kind: { enum: [...DOCUMENT_KINDS] },
    kind_confidence: { type: 'number', minimum: 0, maximum: 1 },
    fields: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, textFieldSchema])),
        ...Object.fromEntries(AMOUNT_FIELDS.map((f) => [f, amountFieldSchema])),
        date: dateFieldSchema,
        parties: { type: 'array', items: partyFieldSchema },
      },
    },
    tables: {
      type: 'array',
      items: {
        type: 'object',
        required: ['page', 'block_id', 'n_rows', 'n_cols', 'columns', 'total_rows', 'mismatches'],
        properties: {
          page: { type: 'integer', minimum: 0 },
          block_id: { type: 'string' },
          n_rows: { type: 'integer', minimum: 0 },
          n_cols: { type: 'integer', minimum: 0 },
          columns: {
            type: 'array',
            items: {
              type: 'object',
              required: ['col', 'header', 'rows', 'count', 'sum', 'min', 'max'],
              properties: {
                col: { type: 'integer' },
                header: { type: ['string', 'null'] },
                rows: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 },
                count: { type: 'integer' },
                sum: { type: 'number' },
                min: { type: 'number' },
                max: { type: 'number' },
              },
            },
          },
          total_rows: { type: 'array', items: { type: 'integer' } },
          mismatches: {
            type: 'array',
            items: {
              type: 'object',
              required: ['kind', 'row', 'col', 'stated', 'computed', 'label'],
              properties: {
                kind: { enum: ['row', 'column'] },
                row: { type: 'integer' },
                col: { type: 'integer' },
                stated: { type: 'number' },
                computed: { type: 'number' },
                label: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
    },
    timings_ms: { type: 'object', additionalProperties: { type: 'number', minimum: 0 } },
  },
};

// The LLM answer: the same fields without what a language model cannot know (boxes, pages of a
// Markdown text) and in the form structured output accepts in strict mode: every property
// required, absent values as null, no additional properties.
const nullable = (s: JsonSchema): JsonSchema => ({ anyOf: [s, { type: 'null' }] });
const strictObject = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
});
const llmText = strictObject({
  value: { type: 'string', minLength: 1, description: 'The value, copied from the document' },
  text: { type: 'string', description: 'The exact characters of the document it was read from' },
});
const llmDate = strictObject({
  value: { type: 'string', minLength: 1, description: 'The date exactly as written, without the time of day' },
  normalized: { type: 'string', pattern: ISO_DATE, description: 'The same date as YYYY-MM-DD' },
  text: { type: 'string' },
});
const llmAmount = strictObject({
  value: { type: 'number', description: 'The amount as a number, negative for credits' },
  currency: { type: ['string', 'null'], pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, or null' },
  text: { type: 'string', description: 'The amount exactly as written' },
});

/** JSON Schema the LLM must answer with (`response_format.json_schema.schema`). */
export const llmAnswerJsonSchema: JsonSchema = strictObject({
  kind: { enum: [...DOCUMENT_KINDS] },
  fields: strictObject({
    company: nullable(llmText),
    date: nullable(llmDate),
    address: nullable(llmText),
    total: nullable(llmAmount),
    tax: nullable(llmAmount),
    subtotal: nullable(llmAmount),
    invoice_number: nullable(llmText),
    receipt_number: nullable(llmText),
    phone: nullable(llmText),
    email: nullable(llmText),
    currency: nullable(llmText),
    parties: nullable({
      type: 'array',
      items: strictObject({ role: { enum: ['seller', 'buyer'] }, value: { type: 'string', minLength: 1 }, text: { type: 'string' } }),
    }),
  }),
});

export interface LlmTextAnswer {
  value: string;
  text: string;
}
export interface LlmDateAnswer extends LlmTextAnswer {
  normalized: string;
}
export interface LlmAmountAnswer {
  value: number;
  currency: string | null;
  text: string;
}
export interface LlmAnswer {
  kind: DocumentKind;
  fields: {
    company: LlmTextAnswer | null;
    date: LlmDateAnswer | null;
    address: LlmTextAnswer | null;
    total: LlmAmountAnswer | null;
    tax: LlmAmountAnswer | null;
    subtotal: LlmAmountAnswer | null;
    invoice_number: LlmTextAnswer | null;
    receipt_number: LlmTextAnswer | null;
    phone: LlmTextAnswer | null;
    email: LlmTextAnswer | null;
    currency: LlmTextAnswer | null;
    parties: { role: 'seller' | 'buyer'; value: string; text: string }[] | null;
  };
}
