/**
 * Review marks of a sheet (`sheet.review`: cells whose OCR confidence is below the review
 * threshold) as pure functions. A mark goes when a person edits the cell or confirms it as read;
 * inserted and deleted rows and columns move marks with their cells (a deleted cell's mark goes
 * with it). The marks are saved with the sheets, so a version remembers what is still unchecked.
 */
import type { Sheet } from './api.types.ts';

export type ReviewMark = NonNullable<Sheet['review']>[number];

const withMarks = (s: Sheet, marks: ReviewMark[]): Sheet => {
  const { review: _old, ...rest } = s;
  void _old;
  return marks.length ? { ...rest, review: marks } : rest;
};

export function markAt(s: Sheet, row: number, col: number): ReviewMark | undefined {
  return s.review?.find((m) => m.row === row && m.col === col);
}

/** The sheet without the mark at (row, col); the same sheet when there is none. */
export function dropMark(s: Sheet, row: number, col: number): Sheet {
  if (!markAt(s, row, col)) return s;
  return withMarks(
    s,
    (s.review ?? []).filter((m) => m.row !== row || m.col !== col),
  );
}

/** Marks after inserting (`delta` 1) or deleting (`delta` -1) row or column `at`. */
export function shiftMarks(s: Sheet, axis: 'row' | 'col', at: number, delta: 1 | -1): Sheet {
  if (!s.review?.length) return s;
  const out: ReviewMark[] = [];
  for (const m of s.review) {
    const v = m[axis];
    if (delta === -1 && v === at) continue;
    out.push(v >= at ? { ...m, [axis]: v + delta } : m);
  }
  return withMarks(s, out);
}

/** The next mark after (row, col) in reading order (rows, then columns), wrapping round; null when none. */
export function nextMark(s: Sheet, after: { row: number; col: number } | null): ReviewMark | null {
  const marks = [...(s.review ?? [])].sort((a, b) => a.row - b.row || a.col - b.col);
  if (!marks.length) return null;
  if (!after) return marks[0];
  return marks.find((m) => m.row > after.row || (m.row === after.row && m.col > after.col)) ?? marks[0];
}

export const markCount = (sheets: readonly Sheet[]): number => sheets.reduce((n, s) => n + (s.review?.length ?? 0), 0);
