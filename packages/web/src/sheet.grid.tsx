/**
 * One sheet in jspreadsheet CE (MIT, DOM table: a merge is a real <td colspan rowspan>, so it reads
 * and prints as merged, and a screen reader sees a table). The grid is a view of the Sheet: typed
 * values flow out through `onCells`; structure changes (insert/delete) are done by sheet.ops and
 * come back as a new `sheet` with a new `revision`, which rebuilds the grid. Rebuilding only on a
 * revision change keeps the caret and scroll position while a person types.
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
  labels: { addRow: string; addCol: string; delRow: string; delCol: string };
}

interface Props {
  sheet: Sheet;
  revision: number;
  label: string;
  onCells(edits: CellEdit[]): void;
  onSelect(sel: Selection): void;
  menu: GridMenu;
}

type Worksheet = ReturnType<typeof jspreadsheet>[number];

function toGridValue(v: SheetValue): string | number {
  return v === null ? '' : v;
}

export function SheetGrid({ sheet, revision, label, onCells, onSelect, menu }: Props) {
  const host = useRef<HTMLDivElement>(null);
  // Callbacks change on every render; the grid is built once per revision, so it reads them here.
  const handlers = useRef({ onCells, onSelect, menu });
  handlers.current = { onCells, onSelect, menu };

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
      onselection: (_ws, x1, y1, x2, y2) => handlers.current.onSelect({ row: y1, col: x1, rowEnd: y2, colEnd: x2 }),
      contextMenu: (_ws, x, y, _e, _items, role) => {
        const m = handlers.current.menu;
        const col = x === null ? null : Number(x);
        const row = y === null ? null : Number(y);
        const items: { title: string; onclick: () => void }[] = [];
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
    void ws;
    return () => {
      // Document-level listeners stay: jspreadsheet shares them between instances (and adds them
      // once), so removing them here would leave the next grid deaf to the keyboard.
      jspreadsheet.destroy(mount as Parameters<typeof jspreadsheet.destroy>[0], false);
      mount.remove();
    };
    // `sheet` is read at build time; later value edits are already in the grid.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [revision]);

  return <div className="grid-host" ref={host} role="region" aria-label={label} data-testid="sheet-grid" data-sheet={sheet.name} />;
}
