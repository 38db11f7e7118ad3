/**
 * The tables of a task as an editable workbook: one tab per sheet, the grid, the structure toolbar
 * (rows and columns; merge, split, move text, undo — sheet.session), explicit Save (a new workbook
 * version on the server, `base_version` guarding against a save in between), Download Excel and a
 * version picker.
 *
 * Unsaved work is visible (a dot on the sheet's tab, an "unsaved" badge) and protected (the browser
 * asks before leaving the page, the app before leaving the task).
 *
 * The page image beside it can follow the grid: `onView` reports the sheets' sizes and the
 * selection, and `link` (a cell box clicked on the image) selects that cell here.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, urls } from './api.client.ts';
import type { Sheet, TablesData } from './api.types.ts';
import { useI18n } from './i18n.context.tsx';
import { navigationGuard } from './route.hash.ts';
import { SheetGrid, type Selection } from './sheet.grid.tsx';
import { normaliseSheet, sameSheets, sheetSize } from './sheet.ops.ts';
import { rangeName, useSheetSession } from './sheet.session.ts';
import { SheetToolbar } from './sheet.toolbar.tsx';
import { Tabs, panelId, tabId } from './tabs.view.tsx';

type Notice = { kind: 'saved'; version: number } | { kind: 'conflict' } | { kind: 'error'; message: string } | null;

/** What the page image needs to follow the grid. */
export interface GridView {
  active: number;
  sizes: { rows: number; cols: number }[];
  selection: Selection | null;
  /** Per sheet, the cells still to check (`row,col`), so the page image can mark them too. */
  review: string[][];
}

/** A cell to select, asked for from outside (a new `seq` for every ask). */
export interface CellLink {
  sheet: number;
  row: number;
  col: number;
  seq: number;
}

interface Props {
  taskId: string;
  onSaved?(version: number): void;
  onView?(view: GridView): void;
  link?: CellLink | null;
}

export function TablesEditor({ taskId, onSaved, onView, link }: Props) {
  const { t, when } = useI18n();
  const [data, setData] = useState<TablesData | null>(null);
  const [original, setOriginal] = useState<Sheet[]>([]);
  const session = useSheetSession(t);
  const { sheets, sheet, active, reset } = session;
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const latest = data ? Math.max(...data.versions.map((v) => v.version), data.version) : 0;
  const dirtyBySheet = useMemo(() => sheets.map((s, i) => !original[i] || !sameSheets([s], [original[i]])), [sheets, original]);
  const dirty = dirtyBySheet.some(Boolean) || sheets.length !== original.length;

  const load = useCallback(
    async (version?: number) => {
      try {
        const d = await api.tables(taskId, version);
        const norm = d.sheets.map(normaliseSheet);
        setData(d);
        setOriginal(norm);
        reset(norm);
        setLoadError(null);
      } catch (e) {
        setLoadError(e instanceof ApiError ? e.message : String(e));
      }
    },
    [taskId, reset],
  );
  useEffect(() => {
    void load();
  }, [load]);

  // Leaving with unsaved edits: the browser's own prompt for reload/close, ours for in-app links.
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = ''; // Chromium still needs this for the prompt to appear
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    navigationGuard.blocked = () => true;
    navigationGuard.message = () => t('grid.leaveWarning');
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      navigationGuard.blocked = () => false;
    };
  }, [dirty, t]);

  // An edit after a save: the "saved" note no longer describes what is on screen.
  useEffect(() => {
    if (dirty) setNotice((n) => (n?.kind === 'saved' ? null : n));
  }, [dirty]);

  // Tell the page image what the grid shows (sizes change only with structure, so this is rare).
  const sizesKey = sheets
    .map((s) => {
      const z = sheetSize(s);
      return `${z.rows}x${z.cols}`;
    })
    .join(',');
  const viewRef = useRef(onView);
  viewRef.current = onView;
  const reviewKey = sheets.map((s) => (s.review ?? []).map((m) => `${m.row},${m.col}`).join(';')).join('|');
  useEffect(() => {
    const sizes = sizesKey
      ? sizesKey.split(',').map((z) => {
          const [rows, cols] = z.split('x').map(Number);
          return { rows, cols };
        })
      : [];
    const review = reviewKey === '' && !sheets.length ? [] : reviewKey.split('|').map((x) => (x ? x.split(';') : []));
    viewRef.current?.({ active, sizes, selection: session.selection, review });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sizesKey, reviewKey, active, session.selection]);

  // A cell box clicked on the page image.
  const selectCell = session.selectCell;
  const selectRef = useRef(selectCell);
  selectRef.current = selectCell;
  useEffect(() => {
    if (link && link.sheet < sheets.length) selectRef.current(link.sheet, link.row, link.col);
    // Only a new ask (seq) selects; the sheets changing must not repeat it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [link?.seq]);

  const save = async () => {
    setSaving(true);
    setNotice(null);
    try {
      const { version } = await api.saveTables(taskId, sheets, latest);
      await load();
      setNotice({ kind: 'saved', version });
      onSaved?.(version);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setNotice({ kind: 'conflict' });
      else setNotice({ kind: 'error', message: e instanceof ApiError ? e.message : String(e) });
    } finally {
      setSaving(false);
    }
  };

  const pickVersion = (v: number) => {
    if (dirty && !confirm(t('grid.leaveWarning'))) return;
    setNotice(null);
    void load(v === latest ? undefined : v);
  };

  if (loadError)
    return (
      <p className="message error" role="alert">
        {t('error.generic', { message: loadError })}
      </p>
    );
  if (!data) return <p className="muted">{t('error.loading')}</p>;
  if (!sheet) return <p className="muted">{t('grid.noTables')}</p>;

  const a = session.actions;
  const tb = session.toolbar;
  const menu = {
    ...session.rowsCols,
    cellItems: [
      ...(tb.canMerge ? [{ title: t('grid.merge'), run: a.merge }] : []),
      ...(tb.canSplit ? [{ title: t('grid.split'), run: a.split }] : []),
      ...(tb.canPlace ? [{ title: t('grid.moveHere'), run: a.place }] : tb.canPick && !tb.moving ? [{ title: t('grid.move'), run: a.pick }] : []),
      ...(tb.undoStep ? [{ title: t('grid.undoStep', { step: t(tb.undoStep) }), run: a.undo }] : []),
    ],
    labels: { addRow: t('grid.addRow'), addCol: t('grid.addCol'), delRow: t('grid.delRow'), delCol: t('grid.delCol') },
  };
  const tabs = sheets.map((s, i) => ({ id: String(i), label: s.name, dot: dirtyBySheet[i], dotLabel: t('grid.unsavedDot') }));
  const viewing = data.version;
  return (
    <div className="tables-editor" data-testid="tables-editor">
      <div className="editor-bar">
        <Tabs
          tabs={tabs}
          active={String(active)}
          onChange={(id) => session.setActive(Number(id))}
          label={t('grid.sheets')}
          idPrefix="sheet"
          className="sheet-tabs"
        />
        <div className="editor-actions">
          {dirty && (
            <span className="badge badge-unsaved" data-testid="unsaved">
              {t('grid.unsaved')}
            </span>
          )}
          <label className="version">
            <span>{t('grid.version')}</span>
            <select value={viewing} onChange={(e) => pickVersion(Number(e.target.value))} data-testid="version-picker">
              {[...data.versions]
                .sort((a, b) => b.version - a.version)
                .map((v) => (
                  <option key={v.version} value={v.version}>
                    {t('grid.versionItem', {
                      version: v.version,
                      source: t(v.source === 'ocr' ? 'grid.source.ocr' : 'grid.source.edit'),
                      when: when(v.created_at),
                    })}
                  </option>
                ))}
            </select>
          </label>
          <button type="button" className="primary" onClick={() => void save()} disabled={!dirty || saving} data-testid="save">
            {saving ? t('grid.saving') : t('grid.save')}
          </button>
          <a className="button" href={urls.excel(taskId, viewing === latest ? undefined : viewing)} download data-testid="download">
            {t('grid.download')}
          </a>
        </div>
      </div>
      <SheetToolbar state={session.toolbar} on={session.actions} />
      <div className="review-bar" data-testid="review-bar">
        <span className={session.review.count ? 'badge badge-review' : 'muted'} data-testid="review-count" data-count={session.review.count}>
          {session.review.count ? t('review.count', { count: session.review.count }) : t('review.none')}
        </span>
        <button type="button" onClick={() => void session.review.next()} disabled={!session.review.count} data-testid="review-next">
          {t('review.next')}
        </button>
        <button
          type="button"
          onClick={() => void session.review.confirm()}
          disabled={!session.review.selected}
          title={t('review.confirmTitle')}
          data-testid="review-confirm"
        >
          {t('review.confirm')}
        </button>
        {session.review.count > 0 && <span className="muted review-hint">{t('review.hint')}</span>}
      </div>
      {session.moving && (
        <p className="message info" data-testid="move-pending">
          {t('grid.moving', {
            text: session.moving.text,
            cell: rangeName({ row: session.moving.row, col: session.moving.col, rowEnd: session.moving.row, colEnd: session.moving.col }),
          })}
        </p>
      )}
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="grid-announce">
        {session.announce}
      </p>
      {viewing !== latest && <p className="message info">{t('grid.oldVersion')}</p>}
      {notice?.kind === 'saved' && (
        <p className="message ok" role="status" data-testid="saved">
          {t('grid.saved', { version: notice.version })}
        </p>
      )}
      {notice?.kind === 'conflict' && (
        <div className="message error" role="alert" data-testid="conflict">
          <p>{t('grid.conflict')}</p>
          <button type="button" onClick={() => void load()}>
            {t('grid.reload')}
          </button>
        </div>
      )}
      {notice?.kind === 'error' && (
        <p className="message error" role="alert">
          {t('grid.saveFailed', { message: notice.message })}
        </p>
      )}
      <div role="tabpanel" id={panelId('sheet', String(active))} aria-labelledby={tabId('sheet', String(active))}>
        <SheetGrid
          key={active}
          sheet={sheet}
          revision={session.revision}
          label={sheet.name}
          onCells={session.onCells}
          onSelect={session.setSelection}
          onKey={session.onKey}
          menu={menu}
          select={session.select}
          marked={session.moving}
          review={sheet.review}
          reviewTitle={(percent) => t('review.cellTitle', { percent })}
        />
      </div>
    </div>
  );
}
