/**
 * The tables of a task as an editable workbook: one tab per sheet, the grid, row/column insert and
 * delete, explicit Save (a new workbook version on the server, `base_version` guarding against a
 * save in between), Download Excel and a version picker.
 *
 * Unsaved work is visible (a dot on the sheet's tab, an "unsaved" badge) and protected (the browser
 * asks before leaving the page, the app before leaving the task).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, urls } from './api.client.ts';
import type { Sheet, TablesData } from './api.types.ts';
import { useI18n } from './i18n.context.tsx';
import { navigationGuard } from './route.hash.ts';
import { SheetGrid, type CellEdit, type Selection } from './sheet.grid.tsx';
import { deleteColumn, deleteRow, insertColumn, insertRow, normaliseSheet, sameSheets, setCell, sheetSize } from './sheet.ops.ts';
import { Tabs, panelId, tabId } from './tabs.view.tsx';

type Notice = { kind: 'saved'; version: number } | { kind: 'conflict' } | { kind: 'error'; message: string } | null;

export function TablesEditor({ taskId, onSaved }: { taskId: string; onSaved?(version: number): void }) {
  const { t, when } = useI18n();
  const [data, setData] = useState<TablesData | null>(null);
  const [original, setOriginal] = useState<Sheet[]>([]);
  const [sheets, setSheets] = useState<Sheet[]>([]);
  const [active, setActive] = useState(0);
  const [revision, setRevision] = useState(0);
  const [selection, setSelection] = useState<Selection | null>(null);
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
        setSheets(norm);
        setActive((a) => Math.min(a, Math.max(0, norm.length - 1)));
        setSelection(null);
        setRevision((r) => r + 1);
        setLoadError(null);
      } catch (e) {
        setLoadError(e instanceof ApiError ? e.message : String(e));
      }
    },
    [taskId],
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

  const sheet = sheets[active];
  const update = (fn: (s: Sheet) => Sheet, structural: boolean) => {
    setSheets((all) => all.map((s, i) => (i === active ? fn(s) : s)));
    if (structural) {
      setRevision((r) => r + 1);
      setSelection(null);
    }
    setNotice(null);
  };
  const onCells = (edits: CellEdit[]) => update((s) => edits.reduce((acc, e) => setCell(acc, e.row, e.col, e.value), s), false);

  const size = sheet ? sheetSize(sheet) : { rows: 0, cols: 0 };
  const ops = {
    addRowBelow: (row: number) => update((s) => insertRow(s, row + 1), true),
    addColumnRight: (col: number) => update((s) => insertColumn(s, col + 1), true),
    deleteRow: (row: number) => update((s) => deleteRow(s, row), true),
    deleteColumn: (col: number) => update((s) => deleteColumn(s, col), true),
    labels: { addRow: t('grid.addRow'), addCol: t('grid.addCol'), delRow: t('grid.delRow'), delCol: t('grid.delCol') },
  };

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

  if (loadError) return <p className="message error" role="alert">{t('error.generic', { message: loadError })}</p>;
  if (!data) return <p className="muted">{t('error.loading')}</p>;
  if (!sheet) return <p className="muted">{t('grid.noTables')}</p>;

  const tabs = sheets.map((s, i) => ({ id: String(i), label: s.name, dot: dirtyBySheet[i], dotLabel: t('grid.unsavedDot') }));
  const viewing = data.version;
  return (
    <div className="tables-editor" data-testid="tables-editor">
      <div className="editor-bar">
        <Tabs tabs={tabs} active={String(active)} onChange={(id) => setActive(Number(id))} label={t('grid.sheets')} idPrefix="sheet" className="sheet-tabs" />
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
                    {t('grid.versionItem', { version: v.version, source: t(v.source === 'ocr' ? 'grid.source.ocr' : 'grid.source.edit'), when: when(v.created_at) })}
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
      <div className="structure-bar" role="toolbar" aria-label={t('grid.sheets')}>
        <button type="button" onClick={() => ops.addRowBelow(selection ? selection.rowEnd : size.rows - 1)} data-testid="add-row">
          + {t('grid.addRow')}
        </button>
        <button type="button" onClick={() => ops.addColumnRight(selection ? selection.colEnd : size.cols - 1)} data-testid="add-col">
          + {t('grid.addCol')}
        </button>
        <button type="button" onClick={() => selection && ops.deleteRow(selection.row)} disabled={!selection || size.rows <= 1} data-testid="del-row">
          − {t('grid.delRow')}
        </button>
        <button type="button" onClick={() => selection && ops.deleteColumn(selection.col)} disabled={!selection || size.cols <= 1} data-testid="del-col">
          − {t('grid.delCol')}
        </button>
        <span className="muted hint">{t('grid.hint')}</span>
      </div>
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
        <SheetGrid key={active} sheet={sheet} revision={revision} label={sheet.name} onCells={onCells} onSelect={setSelection} menu={ops} />
      </div>
    </div>
  );
}
