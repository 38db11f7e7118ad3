/** Markdown pipe tables (GFM) → the document model's `Table`. Pipe tables cannot express spans. */
import type { Table, TableCell } from '@ocrflow/core';
import { cleanInlineText } from './text.clean.ts';

const SEPARATOR = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;

/** Split one row on unescaped pipes, dropping the optional outer pipes. */
function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && s[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (ch === '|') {
      cells.push(cur);
      cur = '';
    } else cur += ch;
  }
  cells.push(cur);
  return cells.map((c) =>
    cleanInlineText(c)
      .replace(/\s*\n\s*/g, '\n')
      .trim(),
  );
}

/** True when the lines form a pipe table: a header row, then a `---` separator row. */
export function isMarkdownTable(lines: readonly string[]): boolean {
  return lines.length >= 2 && lines[0].includes('|') && SEPARATOR.test(lines[1]) && lines[1].includes('-');
}

/** Lines starting with a pipe (the shape models write); used to find where a pipe table ends. */
export function isPipeRow(line: string): boolean {
  return /^\s*\|/.test(line) || (line.includes('|') && SEPARATOR.test(line));
}

/** Parse a GFM pipe table. The header row's cells are flagged `header`. Separator rows are skipped. */
export function parseMarkdownTable(lines: readonly string[]): Table {
  const rows: string[][] = [];
  const headerRows = new Set<number>();
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    if (SEPARATOR.test(line) && line.includes('-')) {
      if (i === 1) headerRows.add(0);
      return;
    }
    rows.push(splitRow(line));
  });
  const nCols = rows.reduce((m, r) => Math.max(m, r.length), 0);
  const cells: TableCell[] = [];
  rows.forEach((r, ri) =>
    r.forEach((text, ci) =>
      cells.push({ row: ri, col: ci, row_span: 1, col_span: 1, bbox: null, text, lines: [], ...(headerRows.has(ri) ? { header: true } : {}) }),
    ),
  );
  return { n_rows: rows.length, n_cols: nCols, cells, ruled: false };
}
