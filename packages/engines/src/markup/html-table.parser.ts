/**
 * HTML tables → the span-aware `Table` of the document model.
 *
 * VLMs (DeepSeek-OCR, PaddleOCR-VL, Qwen-VL) and PP-Structure write tables as HTML, often sloppy:
 * missing `</td>`/`</tr>`, no `<tbody>`, entities, `<br>`, `<img>` in cells, a nested table now and
 * then. htmlparser2 tokenises that robustly (implied end tags, entity decoding); the grid positions
 * are then computed the way a browser does (HTML "forming a table" algorithm): each cell goes to the
 * first free slot of its row, slots covered by earlier `rowspan`s are skipped, and a `rowspan` that
 * runs past the end of its row group is clipped.
 *
 * The metrics (TEDS, adjacency F1) read the same tokens as written (`parseHtmlTableRows`): rows in
 * order, each cell with its span attributes and its text on one line, since they compare markup
 * trees, not grids.
 */
import { Parser } from 'htmlparser2';
import type { Table, TableCell } from '@ocrflow/core';

/** Browsers cap spans (HTML spec: colspan ≤ 1000, rowspan ≤ 65534); so do we. */
const MAX_COLSPAN = 1000;
const MAX_ROWSPAN = 65534;

interface RawCell {
  text: string;
  colspan: number;
  /** 0 = "to the end of the row group" (HTML semantics). */
  rowspan: number;
  header: boolean;
}

interface RawGroup {
  rows: RawCell[][];
  /** A `<thead>`: its cells are header cells even when written as `<td>`. */
  header: boolean;
}

interface RawTable {
  /** Row groups (thead/tbody/tfoot, or the implied one), in document order. */
  groups: RawGroup[];
  caption: string;
}

function spanAttr(v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number.parseInt(v.trim(), 10);
  if (!Number.isFinite(n)) return dflt;
  return Math.min(max, Math.max(min, n));
}

/** Collapse runs of white space the way HTML rendering does, but keep `<br>` line breaks. */
function normaliseCellText(s: string): string {
  return s
    .split('\n')
    .map((l) => l.replace(/[ \t\r\f\u00a0]+/g, ' ').trim())
    .filter((l) => l.length > 0)
    .join('\n');
}

/** Tokenise every top-level `<table>` of `html` (nested tables become text of their outer cell). */
function tokenise(html: string): RawTable[] {
  const tables: RawTable[] = [];
  let depth = 0; // <table> nesting depth
  let cur: RawTable | null = null;
  let group: RawGroup | null = null;
  let row: RawCell[] | null = null;
  let cell: RawCell | null = null;
  let cellBuf = '';
  let inCaption = false;
  let captionBuf = '';

  const newGroup = (header: boolean): RawGroup => {
    const g: RawGroup = { rows: [], header };
    cur!.groups.push(g);
    group = g;
    row = null;
    return g;
  };
  const newRow = (): RawCell[] => {
    const g = group ?? newGroup(false);
    const r: RawCell[] = [];
    g.rows.push(r);
    row = r;
    return r;
  };
  const closeCell = () => {
    if (cell) {
      cell.text = normaliseCellText(cellBuf);
      cell = null;
      cellBuf = '';
    }
  };

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'table') {
          depth++;
          if (depth === 1) {
            cur = { groups: [], caption: '' };
            tables.push(cur);
            group = null;
            row = null;
            cell = null;
          } else if (cell) cellBuf += '\n';
          return;
        }
        if (depth !== 1) {
          if (depth > 1 && cell && (name === 'br' || name === 'tr' || name === 'p' || name === 'div')) cellBuf += '\n';
          else if (depth > 1 && cell && (name === 'td' || name === 'th')) cellBuf += ' ';
          return;
        }
        switch (name) {
          case 'thead':
          case 'tbody':
          case 'tfoot':
            closeCell();
            newGroup(name === 'thead');
            return;
          case 'tr':
            closeCell();
            newRow();
            return;
          case 'td':
          case 'th': {
            closeCell();
            const r = row ?? newRow();
            const c: RawCell = {
              text: '',
              colspan: spanAttr(attrs.colspan, 1, 1, MAX_COLSPAN),
              rowspan: spanAttr(attrs.rowspan, 1, 0, MAX_ROWSPAN),
              header: name === 'th' || Boolean(group?.header),
            };
            r.push(c);
            cell = c;
            cellBuf = '';
            return;
          }
          case 'caption':
            inCaption = true;
            return;
          case 'br':
          case 'p':
          case 'div':
          case 'li':
            if (cell) cellBuf += '\n';
            else if (inCaption) captionBuf += ' ';
            return;
        }
      },
      ontext(text) {
        if (depth === 0) return;
        // Source white space (newlines included) is just a space in HTML; only <br>, <p>, … break lines.
        const t = text.replace(/\s+/g, ' ');
        if (cell) cellBuf += t;
        else if (inCaption) captionBuf += t;
      },
      onclosetag(name, isImplied) {
        if (name === 'table') {
          if (depth === 1) {
            closeCell();
            cur!.caption = captionBuf.replace(/\s+/g, ' ').trim();
            captionBuf = '';
            inCaption = false;
            cur = null;
          }
          depth = Math.max(0, depth - 1);
          return;
        }
        if (depth !== 1) return;
        if (name === 'td' || name === 'th') closeCell();
        else if (name === 'tr') {
          closeCell();
          row = null;
        } else if (name === 'thead' || name === 'tbody' || name === 'tfoot') {
          closeCell();
          group = null;
          row = null;
        } else if (name === 'caption') inCaption = false;
        else if ((name === 'p' || name === 'div') && cell && !isImplied) cellBuf += '\n';
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  return tables;
}

/** Place raw rows on the grid (HTML table model) and build the document-model `Table`. */
function toTable(raw: RawTable): Table {
  const cells: TableCell[] = [];
  /** occupied[r] = set of columns taken in row r (by cells starting there or spanning into it). */
  const occupied: Set<number>[] = [];
  const take = (r: number, c: number) => (occupied[r] ??= new Set()).add(c);
  let rowBase = 0;
  let nCols = 0;
  for (const group of raw.groups) {
    const groupRows = group.rows.length;
    for (let gr = 0; gr < groupRows; gr++) {
      const r = rowBase + gr;
      occupied[r] ??= new Set();
      let x = 0;
      for (const rc of group.rows[gr]) {
        while (occupied[r].has(x)) x++;
        // rowspan=0 and overlong rowspans end with the row group (browsers clip them there).
        const rowSpan = rc.rowspan === 0 ? groupRows - gr : Math.min(rc.rowspan, groupRows - gr);
        const colSpan = rc.colspan;
        for (let dr = 0; dr < rowSpan; dr++) for (let dc = 0; dc < colSpan; dc++) take(r + dr, x + dc);
        cells.push({
          row: r,
          col: x,
          row_span: Math.max(1, rowSpan),
          col_span: colSpan,
          bbox: null,
          text: rc.text,
          lines: [],
          ...(rc.header ? { header: true } : {}),
        });
        x += colSpan;
        nCols = Math.max(nCols, x);
      }
    }
    rowBase += groupRows;
  }
  return { n_rows: rowBase, n_cols: nCols, cells, ruled: false, ...(raw.caption ? { caption: raw.caption } : {}) };
}

/** A cell as written: its span attributes and its text with all white space collapsed to one space. */
export interface HtmlCell {
  colspan: number;
  rowspan: number;
  text: string;
}

/** A table as written: its rows in document order, `thead`/`tbody`/`tfoot` wrappers dropped. */
export interface HtmlTable {
  rows: HtmlCell[][];
}

/** Every top-level table in `html` as rows of cells as written (for metrics that compare markup). */
export function parseHtmlTableRows(html: string): HtmlTable[] {
  return tokenise(html).map((t) => ({
    rows: t.groups.flatMap((g) =>
      // `rowspan="0"` ("to the end of the group") is compared as the attribute a browser would show: 1 row.
      g.rows.map((r) => r.map((c) => ({ colspan: c.colspan, rowspan: Math.max(1, c.rowspan), text: c.text.replace(/\s+/g, ' ').trim() }))),
    ),
  }));
}

/** Every top-level table in `html`, in document order. */
export function parseHtmlTables(html: string): Table[] {
  return tokenise(html).map(toTable);
}

/**
 * The first top-level `<table>` of `html` as a document-model `Table` (cells with `row`/`col`/
 * `row_span`/`col_span`, `bbox: null`, `ruled: false`). Without a table: an empty 0×0 table.
 */
export function parseHtmlTable(html: string): Table {
  return parseHtmlTables(html)[0] ?? { n_rows: 0, n_cols: 0, cells: [], ruled: false };
}

/** True when the text holds an HTML table start tag. */
export function containsHtmlTable(s: string): boolean {
  return /<table[\s>]/i.test(s);
}
