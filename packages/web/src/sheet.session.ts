/**
 * The editing session of a task's sheets, between two loads or saves: the sheets as edited, the
 * selection, structural steps with their undo list, and a pending "move text". The grid reports
 * typed values and selections; every structural step goes through `structural`, which rebuilds the
 * grid (new revision), selects the step's result and says what happened (for `aria-live`).
 *
 * Undo takes back structural steps (rows, columns, merges, splits, moves), newest first, per sheet.
 * A step can be undone while the sheet is still exactly as the step left it: typing into a cell
 * afterwards keeps the typed text and ends that step's undo (jspreadsheet's own Ctrl+Z covers the
 * typing itself).
 */
import { useCallback, useRef, useState } from 'react';
import type { Sheet } from './api.types.ts';
import type { MessageKey } from './i18n.messages.ts';
import type { Translate } from './i18n.context.tsx';
import type { CellEdit, GridKey, SelectRequest, Selection } from './sheet.grid.tsx';
import { anchorOf, canMerge, expandToMerges, mergeRange, mergesIn, moveText, splitRange, type CellRange } from './sheet.merge.ts';
import { columnName, deleteColumn, deleteRow, insertColumn, insertRow, setCell, sheetSize } from './sheet.ops.ts';
import { dropMark, markAt, markCount, nextMark } from './sheet.review.ts';
import type { ToolbarActions, ToolbarState } from './sheet.toolbar.tsx';

interface UndoEntry {
  index: number;
  before: Sheet;
  after: Sheet;
  step: MessageKey;
  sel: Selection | null;
}

export interface Moving {
  index: number;
  row: number;
  col: number;
  text: string;
}

const UNDO_DEPTH = 50;

/** `B3` or `B3:D4`, as a spreadsheet names a range. */
export function rangeName(r: CellRange): string {
  const a = `${columnName(r.col)}${r.row + 1}`;
  return r.row === r.rowEnd && r.col === r.colEnd ? a : `${a}:${columnName(r.colEnd)}${r.rowEnd + 1}`;
}

const cellSel = (row: number, col: number): Selection => ({ row, col, rowEnd: row, colEnd: col });

export function useSheetSession(t: Translate) {
  const [sheets, setSheetsState] = useState<Sheet[]>([]);
  // The latest sheets, also between a grid event and the next render (a typed value committed by
  // the mousedown on a toolbar button must be in the sheet the button's step starts from).
  const sheetsRef = useRef<Sheet[]>([]);
  const [active, setActiveState] = useState(0);
  const [revision, setRevision] = useState(0);
  const [selection, setSelection] = useState<Selection | null>(null);
  const [selectReq, setSelectReq] = useState<(SelectRequest & { index: number }) | null>(null);
  const [history, setHistory] = useState<UndoEntry[]>([]);
  const [moving, setMoving] = useState<Moving | null>(null);
  const [announce, setAnnounce] = useState('');
  const seq = useRef(0);

  const commit = (next: Sheet[]) => {
    sheetsRef.current = next;
    setSheetsState(next);
  };

  /** A fresh start from loaded sheets: no history, no pending move, the grid rebuilt. */
  const reset = useCallback((next: Sheet[]) => {
    sheetsRef.current = next;
    setSheetsState(next);
    setActiveState((a) => Math.min(a, Math.max(0, next.length - 1)));
    setSelection(null);
    setSelectReq(null);
    setHistory([]);
    setMoving(null);
    setRevision((r) => r + 1);
  }, []);

  const requestSelection = (index: number, sel: Selection | null, focus: boolean) => {
    seq.current += 1;
    setSelectReq(sel ? { index, sel, seq: seq.current, focus } : null);
    setSelection(sel);
  };

  const setActive = (i: number) => {
    if (i === active) return;
    setActiveState(i);
    setSelection(null);
    if (moving) setMoving(null);
  };

  const sheet = sheets[active];

  const onCells = (edits: CellEdit[]) => {
    const cur = sheetsRef.current;
    commit(cur.map((s, i) => (i === active ? edits.reduce((acc, e) => setCell(acc, e.row, e.col, e.value), s) : s)));
  };

  /** Apply a structural step to the active sheet; false when it changed nothing. */
  const structural = (step: MessageKey, fn: (s: Sheet) => { sheet: Sheet; sel: Selection | null }, focus: boolean, said?: string): boolean => {
    const cur = sheetsRef.current[active];
    if (!cur) return false;
    const { sheet: next, sel } = fn(cur);
    if (next === cur) return false;
    commit(sheetsRef.current.map((s, i) => (i === active ? next : s)));
    setHistory((h) => [...h, { index: active, before: cur, after: next, step, sel: selection }].slice(-UNDO_DEPTH));
    setRevision((r) => r + 1);
    requestSelection(active, sel, focus);
    setAnnounce(said ?? t('grid.done.structure', { step: t(step) }));
    return true;
  };

  const undoEntry = (() => {
    for (let i = history.length - 1; i >= 0; i--) if (history[i].index === active) return sheet && history[i].after === sheet ? history[i] : null;
    return null;
  })();

  const undo = (focus: boolean): boolean => {
    const e = undoEntry;
    if (!e) return false;
    commit(sheetsRef.current.map((s, i) => (i === e.index ? e.before : s)));
    setHistory((h) => h.filter((x) => x !== e));
    setRevision((r) => r + 1);
    requestSelection(e.index, e.sel, focus);
    setMoving(null);
    setAnnounce(t('grid.done.undo', { step: t(e.step) }));
    return true;
  };

  const merge = (focus: boolean) => {
    if (!selection) return false;
    const r = expandToMerges(sheet, selection);
    return structural(
      'grid.merge',
      (s) => {
        const m = mergeRange(s, selection);
        return { sheet: m.sheet, sel: m.range };
      },
      focus,
      t('grid.done.merge', { range: rangeName(r) }),
    );
  };

  const split = (focus: boolean) => {
    if (!selection) return false;
    const r = expandToMerges(sheet, selection);
    return structural(
      'grid.split',
      (s) => {
        const m = splitRange(s, selection);
        return { sheet: m.sheet, sel: m.range };
      },
      focus,
      t('grid.done.split', { range: rangeName(r) }),
    );
  };

  const textAt = (s: Sheet | undefined, sel: Selection | null): { row: number; col: number; text: string } | null => {
    if (!s || !sel) return null;
    const a = anchorOf(s, sel.row, sel.col);
    const v = s.rows[a.row]?.[a.col] ?? null;
    const text = v === null ? '' : String(v);
    return text.trim() ? { ...a, text } : null;
  };

  const pick = () => {
    const src = textAt(sheet, selection);
    if (!src) return false;
    setMoving({ index: active, ...src });
    setAnnounce(t('grid.moving', { text: src.text, cell: rangeName(cellSel(src.row, src.col)) }));
    return true;
  };

  const placeTarget = (() => {
    if (!moving || moving.index !== active || !selection || !sheet) return null;
    const b = anchorOf(sheet, selection.row, selection.col);
    return b.row === moving.row && b.col === moving.col ? null : b;
  })();

  const place = (focus: boolean) => {
    if (!moving || !placeTarget) return false;
    const from = { row: moving.row, col: moving.col };
    const to = placeTarget;
    const said = t('grid.done.move', { from: rangeName(cellSel(from.row, from.col)), to: rangeName(cellSel(to.row, to.col)) });
    const done = structural('grid.move', (s) => ({ sheet: moveText(s, from, to), sel: expandToMerges(s, cellSel(to.row, to.col)) }), focus, said);
    setMoving(null);
    return done;
  };

  const cancelMove = () => {
    if (!moving) return false;
    setMoving(null);
    setAnnounce(t('grid.moveCancelled'));
    return true;
  };

  /** The mark of the selected cell (a merged cell by its top-left slot), if it has one. */
  const selectedMark = (() => {
    if (!sheet || !selection) return null;
    const a = anchorOf(sheet, selection.row, selection.col);
    return markAt(sheet, a.row, a.col) ?? null;
  })();

  /** The selected cell was read right: its mark goes (saved with the next version). */
  const confirmCell = (): boolean => {
    if (!selectedMark) return false;
    const { row, col } = selectedMark;
    commit(sheetsRef.current.map((s, i) => (i === active ? dropMark(s, row, col) : s)));
    setAnnounce(t('review.confirmed', { cell: rangeName(cellSel(row, col)) }));
    return true;
  };

  /** Select the next cell to check: after the selection on this sheet, then on the following sheets. */
  const nextToCheck = (): boolean => {
    const all = sheetsRef.current;
    for (let k = 0; k <= all.length; k++) {
      const index = (active + k) % all.length;
      const s = all[index];
      const from = k === 0 && selection ? anchorOf(s, selection.row, selection.col) : null;
      let m = nextMark(s, from);
      // Wrapping round on the active sheet comes last, after the other sheets had their turn.
      if (k === 0 && m && from && (m.row < from.row || (m.row === from.row && m.col <= from.col))) m = null;
      if (k === all.length && index === active) m = nextMark(s, null);
      if (!m) continue;
      if (index !== active) {
        setActiveState(index);
        if (moving) setMoving(null);
      }
      requestSelection(index, expandToMerges(s, cellSel(m.row, m.col)), false);
      setAnnounce(t('review.at', { cell: rangeName(cellSel(m.row, m.col)), percent: Math.round(m.confidence * 100) }));
      return true;
    }
    return false;
  };

  const size = sheet ? sheetSize(sheet) : { rows: 0, cols: 0 };
  const rowsCols = {
    addRowBelow: (row: number) => structural('grid.addRow', (s) => ({ sheet: insertRow(s, row + 1), sel: null }), false),
    addColumnRight: (col: number) => structural('grid.addCol', (s) => ({ sheet: insertColumn(s, col + 1), sel: null }), false),
    deleteRow: (row: number) => structural('grid.delRow', (s) => ({ sheet: deleteRow(s, row), sel: null }), false),
    deleteColumn: (col: number) => structural('grid.delCol', (s) => ({ sheet: deleteColumn(s, col), sel: null }), false),
  };

  const toolbar: ToolbarState = {
    canDelRow: !!selection && size.rows > 1,
    canDelCol: !!selection && size.cols > 1,
    canMerge: !!sheet && !!selection && canMerge(sheet, selection),
    canSplit: !!sheet && !!selection && mergesIn(sheet, selection).length > 0,
    canPick: !!textAt(sheet, selection),
    canPlace: !!placeTarget,
    moving: !!moving && moving.index === active,
    undoStep: undoEntry?.step ?? null,
  };

  const actions: ToolbarActions = {
    addRow: () => void rowsCols.addRowBelow(selection ? selection.rowEnd : size.rows - 1),
    addCol: () => void rowsCols.addColumnRight(selection ? selection.colEnd : size.cols - 1),
    delRow: () => void (selection && rowsCols.deleteRow(selection.row)),
    delCol: () => void (selection && rowsCols.deleteColumn(selection.col)),
    merge: () => void merge(false),
    split: () => void split(false),
    pick: () => void pick(),
    place: () => void place(false),
    cancelMove: () => void cancelMove(),
    undo: () => void undo(false),
  };

  /** A shortcut from the grid (sheet.grid's GRID_KEYS). */
  const onKey = (key: GridKey, fromGrid: boolean): boolean => {
    switch (key) {
      case 'merge':
        return merge(fromGrid);
      case 'split':
        return split(fromGrid);
      case 'pick':
        return pick();
      case 'place':
        return place(fromGrid);
      case 'undo':
        return undo(fromGrid);
      case 'escape':
        return cancelMove();
    }
  };

  /** Select a cell from outside the grid (a cell box clicked on the page image). */
  const selectCell = (index: number, row: number, col: number) => {
    if (index !== active) {
      setActiveState(index);
      if (moving && moving.index !== index) setMoving(null);
    }
    const s = sheetsRef.current[index];
    requestSelection(index, s ? expandToMerges(s, cellSel(row, col)) : cellSel(row, col), false);
  };

  return {
    sheets,
    sheet,
    active,
    setActive,
    revision,
    selection,
    setSelection,
    select: selectReq && selectReq.index === active ? selectReq : null,
    moving: moving && moving.index === active ? moving : null,
    announce,
    reset,
    onCells,
    onKey,
    rowsCols,
    toolbar,
    actions,
    selectCell,
    review: { count: markCount(sheets), selected: selectedMark, confirm: confirmCell, next: nextToCheck },
  };
}
