/**
 * Review marks of a sheet: the cells a person should check, each with the confidence that put it
 * there. They travel with the sheets (stored with every workbook version): the workbench drops a
 * mark when a person edits or confirms its cell, and moves marks with their cells when rows or
 * columns are inserted or deleted, so a saved version remembers what is still unchecked.
 */
import type { Table } from '../model.ts';
import { OcrflowError } from '../errors.ts';
import { needsReview } from '../review.ts';

export interface SheetReviewMark {
  row: number;
  col: number;
  /** The cell's OCR confidence, 0..1. */
  confidence: number;
}

/** Marks for the cells of a table below the threshold, at each cell's top-left slot. */
export function tableReviewMarks(t: Table, threshold: number): SheetReviewMark[] {
  return t.cells
    .filter((c) => c.row < t.n_rows && c.col < t.n_cols && needsReview(c, threshold))
    .map((c) => ({ row: c.row, col: c.col, confidence: c.confidence as number }))
    .sort((a, b) => a.row - b.row || a.col - b.col);
}

/** Checks marks sent by a browser against the sheet's size; throws OCRFLOW_ERR_INVALID_SHEETS. */
export function validateReviewMarks(input: unknown, rows: number, cols: number, where: string): SheetReviewMark[] {
  if (input === undefined) return [];
  const fail = (m: string): never => {
    throw new OcrflowError('OCRFLOW_ERR_INVALID_SHEETS', m);
  };
  if (!Array.isArray(input)) fail(`${where}: review must be an array of {row, col, confidence}`);
  if ((input as unknown[]).length > rows * cols) fail(`${where}: more review marks than cells`);
  const seen = new Set<number>();
  return (input as unknown[]).map((m, i) => {
    const { row, col, confidence } = (m ?? {}) as Record<string, unknown>;
    const ok =
      Number.isInteger(row) && Number.isInteger(col) && (row as number) >= 0 && (col as number) >= 0 && (row as number) < rows && (col as number) < cols;
    if (!ok) fail(`${where}, review mark ${i + 1}: row and col must be whole numbers inside the sheet (${rows} rows × ${cols} columns)`);
    if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1))
      fail(`${where}, review mark ${i + 1}: confidence must be a number from 0 to 1`);
    const k = (row as number) * cols + (col as number);
    if (seen.has(k)) fail(`${where}, review mark ${i + 1}: the cell is marked twice`);
    seen.add(k);
    return { row: row as number, col: col as number, confidence: confidence as number };
  });
}

/** Marks left in the sheets: the cells still to check. */
export function reviewCount(sheets: readonly { review?: readonly SheetReviewMark[] }[]): number {
  return sheets.reduce((n, s) => n + (s.review?.length ?? 0), 0);
}
