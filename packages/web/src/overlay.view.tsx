/**
 * The page with what OCR found drawn over it: text-line boxes and table/cell boxes in an SVG whose
 * viewBox is the page's pixel size, laid exactly over the image, so the drawing scales with the
 * image at any width. Coordinates are those of the page the document's boxes belong to
 * (`/image?page=N`: upright, and straightened when the engine straightened it); an older server
 * without that route gets the raw upload, which matches whenever the photo needed no rotation.
 *
 * The page follows the grid: the cells selected in the sheet are outlined here, and clicking a cell
 * box selects that cell in the sheet. Table n of the document (in page and reading order) is sheet
 * n, the order `documentToSheets` writes them; the link holds while the sheet keeps the table's
 * rows and columns (merges, splits and moved text keep them; an inserted or deleted row or column
 * ends the link for that sheet until the table is read again, since its cells no longer line up).
 */
import { useEffect, useMemo, useState } from 'react';
import { urls } from './api.client.ts';
import type { BBox, OcrDocument, Page } from './api.types.ts';
import { useI18n } from './i18n.context.tsx';
import type { GridView } from './tables.editor.tsx';

interface CellShape {
  bbox: BBox;
  /** Index of the table in the whole document (= its sheet). */
  table: number;
  row: number;
  col: number;
  rowEnd: number;
  colEnd: number;
}

interface Shapes {
  lines: string[];
  tables: { bbox: BBox; table: number; rows: number; cols: number }[];
  cells: CellShape[];
}

function shapesOf(page: Page, firstTable: number): Shapes {
  const out: Shapes = { lines: [], tables: [], cells: [] };
  const poly = (l: { polygon: [number, number][]; bbox: [number, number, number, number] }) =>
    (l.polygon.length >= 3
      ? l.polygon
      : [
          [l.bbox[0], l.bbox[1]],
          [l.bbox[2], l.bbox[1]],
          [l.bbox[2], l.bbox[3]],
          [l.bbox[0], l.bbox[3]],
        ]
    )
      .map((p) => p.join(','))
      .join(' ');
  let table = firstTable;
  for (const b of page.blocks) {
    if (b.type === 'table') {
      out.tables.push({ bbox: b.bbox, table, rows: b.table.n_rows, cols: b.table.n_cols });
      for (const c of b.table.cells) {
        if (c.bbox) out.cells.push({ bbox: c.bbox, table, row: c.row, col: c.col, rowEnd: c.row + c.row_span - 1, colEnd: c.col + c.col_span - 1 });
        for (const l of c.lines) out.lines.push(poly(l));
      }
      table++;
    } else {
      for (const l of b.lines) out.lines.push(poly(l));
    }
  }
  return out;
}

/** For each page, the document-wide index of its first table. */
function firstTables(doc: OcrDocument): number[] {
  let n = 0;
  return doc.pages.map((p) => {
    const first = n;
    n += p.blocks.filter((b) => b.type === 'table').length;
    return first;
  });
}

function union(boxes: BBox[]): BBox | null {
  if (!boxes.length) return null;
  return [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
}

interface Props {
  taskId: string;
  doc: OcrDocument;
  /** What the sheet editor shows; null while it has not loaded. */
  grid?: GridView | null;
  onPickCell?(table: number, row: number, col: number): void;
}

export function OverlayView({ taskId, doc, grid, onPickCell }: Props) {
  const { t } = useI18n();
  const [pageIndex, setPageIndex] = useState(0);
  const [showLines, setShowLines] = useState(true);
  const [showTables, setShowTables] = useState(true);
  const [fallback, setFallback] = useState(false);
  const [broken, setBroken] = useState(false);
  const page = doc.pages[pageIndex] ?? doc.pages[0];
  const firsts = useMemo(() => firstTables(doc), [doc]);
  const shapes = useMemo(() => (page ? shapesOf(page, firsts[doc.pages.indexOf(page)] ?? 0) : null), [page, firsts, doc]);
  const tableCount = useMemo(() => doc.pages.reduce((n, p) => n + p.blocks.filter((b) => b.type === 'table').length, 0), [doc]);

  // A table is linked to its sheet while the sheet has the table's rows and columns.
  const linked = (table: number, rows: number, cols: number) => {
    const z = grid && grid.sizes.length === tableCount ? grid.sizes[table] : undefined;
    return !!z && z.rows === rows && z.cols === cols;
  };
  const tableOn = (table: number) => {
    for (let i = firsts.length - 1; i >= 0; i--) if (firsts[i] <= table) return i;
    return 0;
  };

  // A selection in a table of another page brings that page up.
  const sel = grid?.selection ?? null;
  const activeTable = grid?.active ?? -1;
  useEffect(() => {
    if (sel && activeTable >= 0 && activeTable < tableCount) {
      const p = tableOn(activeTable);
      if (p !== pageIndex) setPageIndex(p);
    }
    // Only when the selection moves: choosing another page by hand stays possible.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sel, activeTable]);

  if (!page || !shapes) return null;
  const linkedTables = new Set(shapes.tables.filter((x) => linked(x.table, x.rows, x.cols)).map((x) => x.table));
  const picked =
    sel && linkedTables.has(activeTable)
      ? union(
          shapes.cells
            .filter((c) => c.table === activeTable && c.row <= sel.rowEnd && c.rowEnd >= sel.row && c.col <= sel.colEnd && c.colEnd >= sel.col)
            .map((c) => c.bbox),
        )
      : null;
  const src = fallback ? urls.image(taskId) : urls.image(taskId, page.index);
  const stroke = Math.max(1.5, page.width / 600);

  return (
    <section className="panel overlay" aria-labelledby="overlay-title">
      <div className="overlay-head">
        <h2 id="overlay-title">{t('overlay.title')}</h2>
        <div className="toggles">
          <label>
            <input type="checkbox" checked={showLines} onChange={(e) => setShowLines(e.target.checked)} data-testid="toggle-lines" /> {t('overlay.lines')}
          </label>
          <label>
            <input type="checkbox" checked={showTables} onChange={(e) => setShowTables(e.target.checked)} data-testid="toggle-tables" /> {t('overlay.tables')}
          </label>
          {page.straightened && (
            // The boxes belong to the straightened page; the photo as uploaded stays one click away.
            <a href={urls.image(taskId)} target="_blank" rel="noopener noreferrer" data-testid="original-photo">
              {t('overlay.original')}
            </a>
          )}
          {doc.pages.length > 1 && (
            <select value={pageIndex} onChange={(e) => setPageIndex(Number(e.target.value))} aria-label="page">
              {doc.pages.map((p, i) => (
                <option key={p.index} value={i}>{`${i + 1} / ${doc.pages.length}`}</option>
              ))}
            </select>
          )}
        </div>
      </div>
      {onPickCell && linkedTables.size > 0 && showTables && <p className="muted overlay-hint">{t('overlay.linkHint')}</p>}
      {broken ? (
        <p className="message error">{t('overlay.noImage')}</p>
      ) : (
        <div className="overlay-stage">
          <img
            src={src}
            alt={doc.meta.filename ?? ''}
            onError={() => (fallback || page.index > 0 ? setBroken(true) : setFallback(true))}
            data-testid="page-image"
          />
          <svg viewBox={`0 0 ${page.width} ${page.height}`} preserveAspectRatio="none" aria-hidden="true" data-testid="overlay-svg">
            {showTables && (
              <g className="ov-tables" strokeWidth={stroke}>
                {shapes.cells.map((c, i) => {
                  const b = c.bbox;
                  const live = !!onPickCell && linkedTables.has(c.table);
                  const toCheck = linkedTables.has(c.table) && !!grid?.review[c.table]?.includes(`${c.row},${c.col}`);
                  return (
                    // biome-ignore lint/a11y/noStaticElementInteractions: a cell shape is picked with the mouse; the sheet grid beside it is the keyboard way to the same cell
                    <rect
                      key={`c${i}`}
                      className={`ov-cell${live ? ' ov-link' : ''}${toCheck ? ' ov-review' : ''}`}
                      x={b[0]}
                      y={b[1]}
                      width={b[2] - b[0]}
                      height={b[3] - b[1]}
                      data-table={c.table}
                      data-row={c.row}
                      data-col={c.col}
                      onClick={live ? () => onPickCell(c.table, c.row, c.col) : undefined}
                    />
                  );
                })}
                {shapes.tables.map((x, i) => (
                  <rect
                    key={`t${i}`}
                    className="ov-table"
                    x={x.bbox[0]}
                    y={x.bbox[1]}
                    width={x.bbox[2] - x.bbox[0]}
                    height={x.bbox[3] - x.bbox[1]}
                    strokeWidth={stroke * 2}
                  />
                ))}
              </g>
            )}
            {picked && (
              <rect
                className="ov-selected"
                x={picked[0]}
                y={picked[1]}
                width={picked[2] - picked[0]}
                height={picked[3] - picked[1]}
                strokeWidth={stroke * 2.5}
                data-testid="overlay-selected"
                data-range={sel ? `${sel.row},${sel.col},${sel.rowEnd},${sel.colEnd}` : ''}
              />
            )}
            {showLines && (
              <g className="ov-lines" strokeWidth={stroke}>
                {shapes.lines.map((p, i) => (
                  <polygon key={i} points={p} />
                ))}
              </g>
            )}
          </svg>
        </div>
      )}
    </section>
  );
}
