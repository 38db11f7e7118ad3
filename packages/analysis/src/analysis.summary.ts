/**
 * A small summary of an analysis for places that carry it inline — the job webhook body, job
 * listings — where the full `analysis.json` (boxes, table statistics) would be too heavy: kind,
 * analyser, each field's value (dates in ISO form too, amounts with currency), the number of
 * table totals that do not add up, and the key fields marked for a person to check.
 */
import type { Analysis, DocumentKind } from './analysis.schema.ts';

export interface AnalysisSummary {
  schema: Analysis['schema'];
  analyser: Analysis['analyser'];
  fallback_reason?: string;
  kind: DocumentKind;
  fields: Record<string, string | number | null>;
  /** ISO date of the `date` field. */
  date_iso?: string;
  currency?: string | null;
  tables: number;
  table_mismatches: number;
  /** Key fields whose calibrated confidence is below 0.9: a person should check them. */
  check?: string[];
}

export function analysisSummary(a: Analysis): AnalysisSummary {
  const fields: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(a.fields)) {
    if (k === 'parties' || !v || Array.isArray(v)) continue;
    fields[k] = (v as { value: string | number }).value;
  }
  const check = Object.entries(a.fields)
    .filter(([k, v]) => k !== 'parties' && v && !Array.isArray(v) && (v as { check?: boolean }).check === true)
    .map(([k]) => k);
  return {
    schema: a.schema,
    analyser: a.analyser,
    ...(a.fallback_reason ? { fallback_reason: a.fallback_reason } : {}),
    kind: a.kind,
    fields,
    ...(a.fields.date ? { date_iso: a.fields.date.normalized } : {}),
    ...(a.fields.total ? { currency: a.fields.total.currency } : {}),
    tables: a.tables.length,
    table_mismatches: a.tables.reduce((n, t) => n + t.mismatches.length, 0),
    ...(check.length ? { check } : {}),
  };
}
