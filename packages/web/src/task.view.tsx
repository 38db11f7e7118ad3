/**
 * One task at `#/tasks/{id}`: its status (updated by itself), and once OCR is done the page with
 * its boxes, the key facts, and the result tabs (tables to edit, text, Markdown). The tabs' panels
 * stay mounted while hidden so switching to the text never throws away unsaved table edits.
 */
import { useEffect, useState } from 'react';
import { api, urls } from './api.client.ts';
import { TERMINAL_OK, type OcrDocument } from './api.types.ts';
import { useI18n } from './i18n.context.tsx';
import { OverlayView } from './overlay.view.tsx';
import { AnalysisPanel, TextPanel } from './result.panels.tsx';
import { hrefFor } from './route.hash.ts';
import { TablesEditor, type CellLink, type GridView } from './tables.editor.tsx';
import { StatusPanel } from './task.status.tsx';
import { useTaskWatch } from './task.watch.ts';
import { Tabs, panelId, tabId } from './tabs.view.tsx';

type View = 'tables' | 'text' | 'markdown';

export function TaskView({ id }: { id: string }) {
  const { t, when } = useI18n();
  const { task, error, channel, replace } = useTaskWatch(id);
  const [doc, setDoc] = useState<OcrDocument | null>(null);
  const [view, setView] = useState<View>('tables');
  // The page image and the sheet editor follow each other (see overlay.view).
  const [gridView, setGridView] = useState<GridView | null>(null);
  const [link, setLink] = useState<CellLink | null>(null);
  const ready = !!task && TERMINAL_OK.includes(task.status);

  useEffect(() => {
    setDoc(null);
    if (!ready) return;
    let alive = true;
    api.document(id).then(
      (d) => alive && setDoc(d),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [id, ready]);

  if (error?.status === 404) {
    return (
      <main className="task-page">
        <a href={hrefFor.home()}>{t('task.back')}</a>
        <p className="message error" role="alert">
          {t('task.notFound')}
        </p>
      </main>
    );
  }
  if (!task)
    return (
      <main className="task-page">
        <p className="muted">{error ? t('error.generic', { message: error.message }) : t('error.loading')}</p>
      </main>
    );

  const tabs = [
    { id: 'tables', label: t('tabs.tables') },
    { id: 'text', label: t('tabs.text') },
    { id: 'markdown', label: t('tabs.markdown') },
  ];
  return (
    <main className="task-page" data-testid="task-page" data-task-id={task.id} data-channel={channel ?? ''}>
      <div className="task-head">
        <a href={hrefFor.home()} className="back">
          {t('task.back')}
        </a>
        <h1 className="task-title">{task.filename}</h1>
        <span className="muted">{t('task.uploadedAt', { when: when(task.created_at) })}</span>
        {ready && (
          <a className="button pdf-download" href={urls.pdf(task.id)} download title={t('task.downloadPdfTitle')} data-testid="download-pdf">
            {t('task.downloadPdf')}
          </a>
        )}
      </div>
      <StatusPanel task={task} onTask={replace} />
      {!ready && (
        <div className="preview">
          <img src={urls.image(task.id)} alt={task.filename} />
        </div>
      )}
      {ready && (
        <div className="result-layout">
          <div className="result-side">
            {doc && (
              <OverlayView
                taskId={task.id}
                doc={doc}
                grid={gridView}
                onPickCell={(sheet, row, col) => {
                  setView('tables');
                  setLink((l) => ({ sheet, row, col, seq: (l?.seq ?? 0) + 1 }));
                }}
              />
            )}
            <AnalysisPanel taskId={task.id} />
          </div>
          <section className="panel result-main" aria-label={t('tabs.label')}>
            <Tabs tabs={tabs} active={view} onChange={(v) => setView(v as View)} label={t('tabs.label')} idPrefix="view" />
            {tabs.map((tab) => (
              <div key={tab.id} role="tabpanel" id={panelId('view', tab.id)} aria-labelledby={tabId('view', tab.id)} hidden={view !== tab.id}>
                {tab.id === 'tables' && (
                  <TablesEditor taskId={task.id} onView={setGridView} link={link} onSaved={() => void api.task(task.id).then(replace, () => undefined)} />
                )}
                {tab.id === 'text' && view === 'text' && <TextPanel taskId={task.id} kind="text" />}
                {tab.id === 'markdown' && view === 'markdown' && <TextPanel taskId={task.id} kind="markdown" />}
              </div>
            ))}
          </section>
        </div>
      )}
    </main>
  );
}
