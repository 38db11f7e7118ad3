/**
 * One sheet in jspreadsheet CE (MIT, DOM table: a merge is a real <td colspan rowspan>, so it reads
 * and prints as merged, and a screen reader sees a table). The grid is a view of the Sheet: typed
 * values flow out through `onCells`; structure changes (insert/delete, merge/split, moving text)
 * are done by sheet.ops / sheet.merge and come back as a new `sheet` with a new `revision`, which
 * rebuilds the grid. Rebuilding only on a revision change keeps the caret and scroll position while
 * a person types.
 *
 * A selection can also come from outside (`select`: after a structural step, or a cell box clicked
 * on the page image); it is applied once the grid is built and whenever its `seq` changes.
 * Shortcuts while the grid has the keyboard (Alt is never a typing key in jspreadsheet): see
 * `GRID_KEYS`; Escape hands the keyboard back to the page, so Tab leaves the grid again.
 */
import { useEffect, useRef } from 'react';
import jspreadsheet from 'jspreadsheet-ce';
import 'jsuites/dist/jsuites.css';
import 'jspreadsheet-ce/dist/jspreadsheet.css';
import type { Sheet, SheetValue } from './api.types.ts';
import { cellValue, columnName, sheetSize } from './sheet.ops.ts';

export interface CellEdit {
  row: number;
  col: number;
  value: SheetValue;
}

export interface Selection {
  row: number;
  col: number;
  /** Last row/column the selection covers (a merged cell covers its whole span). */
  rowEnd: number;
  colEnd: number;
}

export interface GridMenu {
  addRowBelow(row: number): void;
  addColumnRight(col: number): void;
  deleteRow(row: number): void;
  deleteColumn(col: number): void;
  /** Structure fixes on the current selection; `null` hides the item (not possible right now). */
  cellItems: { title: string; run(): void }[];
  labels: { addRow: string; addCol: string; delRow: string; delCol: string };
}

/** Keyboard shortcuts of the structure tools (KeyboardEvent.code with Alt, so any layout works). */
export const GRID_KEYS = { merge: 'KeyM', split: 'KeyS', pick: 'KeyX', place: 'KeyV', undo: 'KeyZ' } as const;
export type GridKey = keyof typeof GRID_KEYS | 'escape';

export interface SelectRequest {
  sel: Selection;
  /** Changes for every request, so the same cell can be asked for twice. */
  seq: number;
  /** Give the grid the keyboard too (the step was started from the grid, by a shortcut). */
  focus: boolean;
}

interface Props {
  sheet: Sheet;
  revision: number;
  label: string;
  onCells(edits: CellEdit[]): void;
  onSelect(sel: Selection): void;
  /** A shortcut pressed while the grid has the keyboard; returns true when it was used. */
  onKey(key: GridKey, fromGrid: boolean): boolean;
  menu: GridMenu;
  select: SelectRequest | null;
  /** The cell whose text is being moved: outlined until it is placed or the move is cancelled. */
  marked: { row: number; col: number } | null;
  /** Cells to check (low OCR confidence): tinted, with the confidence in their tooltip. */
  review?: readonly { row: number; col: number; confidence: number }[];
  /** Tooltip of a marked cell, given its confidence as a percentage. */
  reviewTitle?(percent: number): string;
}

type Worksheet = ReturnType<typeof jspreadsheet>[number];

function toGridValue(v: SheetValue): string | number {
  return v === null ? '' : v;
}

function applySelection(ws: Worksheet, mount: HTMLElement, req: SelectRequest): void {
  const { sel } = req;
  if (sel.row >= ws.rows.length || sel.col >= ws.headers.length) return;
  ws.updateSelectionFromCoords(sel.col, sel.row, sel.colEnd, sel.rowEnd);
  const td = ws.getCellFromCoords(sel.col, sel.row);
  // Into view inside the grid's own scroll box (and the page, on a phone where it sits below).
  td?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  if (req.focus) {
    jspreadsheet.current = ws;
    mount.focus({ preventScroll: true });
  }
}

export function SheetGrid({ sheet, revision, label, onCells, onSelect, onKey, menu, select, marked, review, reviewTitle }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const built = useRef<{ ws: Worksheet; mount: HTMLDivElement; ready: boolean } | null>(null);
  // Callbacks change on every render; the grid is built once per revision, so it reads them here.
  const handlers = useRef({ onCells, onSelect, onKey, menu, select });
  handlers.current = { onCells, onSelect, onKey, menu, select };

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    // A fresh mount node per build: jspreadsheet builds asynchronously and its destroy() is a no-op
    // until the build has finished, so removing the node is what guarantees one grid per host.
    const mount = document.createElement('div');
    el.replaceChildren(mount);
    const { rows, cols } = sheetSize(sheet);
    const mergeCells: Record<string, [number, number]> = {};
    for (const m of sheet.merges) mergeCells[`${columnName(m.col)}${m.row + 1}`] = [m.col_span, m.row_span];
    const ws: Worksheet[] = jspreadsheet(mount, {
      tabs: false,
      toolbar: false,
      parseFormulas: false, // a cell reading "=1+1" is text from a photo, not a formula
      onafterchanges: (_ws, changes) => {
        const edits = changes.map((c) => ({ row: Number(c.y), col: Number(c.x), value: cellValue(c.value) }));
        if (edits.length) handlers.current.onCells(edits);
      },
      onselection: (_ws, x1, y1, x2, y2) => {
        // While building, jspreadsheet selects cells it writes (the last one stays selected); that
        // is not the person's selection, so only selections after the build count.
        if (built.current?.mount === mount && built.current.ready) handlers.current.onSelect({ row: y1, col: x1, rowEnd: y2, colEnd: x2 });
      },
      onload: () => {
        const b = built.current;
        if (!b || b.mount !== mount) return;
        b.ready = true;
        const req = handlers.current.select;
        if (req) applySelection(b.ws, mount, req);
        else b.ws.resetSelection();
      },
      contextMenu: (_ws, x, y, _e, _items, role) => {
        const m = handlers.current.menu;
        const col = x === null ? null : Number(x);
        const row = y === null ? null : Number(y);
        const items: { title: string; onclick: () => void }[] = [];
        if (role === 'cell') for (const it of m.cellItems) items.push({ title: it.title, onclick: it.run });
        if (row !== null && (role === 'cell' || role === 'row')) {
          items.push({ title: m.labels.addRow, onclick: () => m.addRowBelow(row) });
          items.push({ title: m.labels.delRow, onclick: () => m.deleteRow(row) });
        }
        if (col !== null && (role === 'cell' || role === 'header')) {
          items.push({ title: m.labels.addCol, onclick: () => m.addColumnRight(col) });
          items.push({ title: m.labels.delCol, onclick: () => m.deleteColumn(col) });
        }
        return items;
      },
      worksheets: [
        {
          worksheetName: sheet.name,
          data: sheet.rows.map((r) => r.map(toGridValue)),
          mergeCells,
          minDimensions: [Math.max(1, cols), Math.max(1, rows)],
          defaultColWidth: 96,
          wordWrap: true,
          tableOverflow: true,
          tableWidth: '100%',
          tableHeight: '65vh',
          // Structure changes go through sheet.ops, which keeps merges; the grid's own would drop them.
          allowInsertRow: false,
          allowManualInsertRow: false,
          allowInsertColumn: false,
          allowManualInsertColumn: false,
          allowDeleteRow: false,
          allowDeleteColumn: false,
          allowRenameColumn: false,
          columnSorting: false,
          columnDrag: false,
          rowDrag: false,
          allowComments: false,
        },
      ],
    });
    built.current = { ws: ws[0], mount, ready: false };
    return () => {
      if (jspreadsheet.current === ws[0]) jspreadsheet.current = null;
      built.current = null;
      // Document-level listeners stay: jspreadsheet shares them between instances (and adds them
      // once), so removing them here would leave the next grid deaf to the keyboard.
      jspreadsheet.destroy(mount as Parameters<typeof jspreadsheet.destroy>[0], false);
      mount.remove();
    };
    // `sheet` is read at build time; later value edits are already in the grid.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [revision]);

  // A selection asked for after the grid was built (a built grid applies its request in onload).
  useEffect(() => {
    const b = built.current;
    if (b?.ready && select) applySelection(b.ws, b.mount, select);
  }, [select]);

  // The outline of the cell whose text is being moved (kept across rebuilds of the same sheet).
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    el.querySelectorAll('td.move-source').forEach((td) => td.classList.remove('move-source'));
    if (marked) el.querySelector(`tbody td[data-x="${marked.col}"][data-y="${marked.row}"]`)?.classList.add('move-source');
  }, [marked, revision]);

  // Review marks, re-applied after every rebuild and whenever a mark goes (an edit, a confirm).
  // jspreadsheet builds asynchronously: a rebuild's cells may appear after this effect, so it
  // runs again once they exist.
  const reviewKey = (review ?? []).map((m) => `${m.row},${m.col}`).join(';');
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    let tries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const apply = () => {
      el.querySelectorAll('td.needs-review').forEach((td) => {
        td.classList.remove('needs-review');
        td.removeAttribute('title');
        td.removeAttribute('data-confidence');
      });
      const cells = el.querySelectorAll('tbody td[data-x]');
      if (!cells.length && tries++ < 50) {
        timer = setTimeout(apply, 50);
        return;
      }
      for (const m of review ?? []) {
        const td = el.querySelector(`tbody td[data-x="${m.col}"][data-y="${m.row}"]`);
        if (!td) continue;
        td.classList.add('needs-review');
        td.setAttribute('data-confidence', String(m.confidence));
        if (reviewTitle) td.setAttribute('title', reviewTitle(Math.round(m.confidence * 100)));
      }
    };
    apply();
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [reviewKey, revision]);

  // Shortcuts, before jspreadsheet's own document listener sees the key (capture phase), and only
  // while this grid has the keyboard and no cell is being edited.
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      const b = built.current;
      if (!b || jspreadsheet.current !== b.ws || (b.ws as Worksheet & { edition?: unknown }).edition) return;
      let key: GridKey | null = null;
      if (e.key === 'Escape' && !e.altKey && !e.ctrlKey && !e.metaKey) key = 'escape';
      else if (e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey)
        key = (Object.keys(GRID_KEYS) as (keyof typeof GRID_KEYS)[]).find((k) => GRID_KEYS[k] === e.code) ?? null;
      if (!key) return;
      const used = handlers.current.onKey(key, true);
      if (key === 'escape' && !used) {
        // Hand the keyboard back to the page: the next Tab moves focus on instead of to a cell.
        b.ws.resetSelection();
        jspreadsheet.current = null;
        e.preventDefault();
        return;
      }
      if (used) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    document.addEventListener('keydown', onKeyDown, true);
    return () => document.removeEventListener('keydown', onKeyDown, true);
  }, []);

  // biome-ignore lint/a11y/useSemanticElements: the spreadsheet library mounts into this div; a landmark role names it without changing the element
  return <div className="grid-host" ref={host} role="region" aria-label={label} data-testid="sheet-grid" data-sheet={sheet.name} />;
}
