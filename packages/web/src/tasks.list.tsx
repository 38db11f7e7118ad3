/**
 * The person's documents, newest first, a page at a time, so work can be left and picked up later.
 * While any listed task is still being worked on, the page re-reads the list every few seconds;
 * that is cheaper than one event stream per row and the rows only need the coarse state.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from './api.client.ts';
import { isWorking, type TaskPage } from './api.types.ts';
import { useI18n } from './i18n.context.tsx';
import { hrefFor } from './route.hash.ts';
import { StatusBadge } from './task.status.tsx';

const PAGE_SIZE = 10;

export function TasksList({ page, reloadKey }: { page: number; reloadKey: number }) {
  const { t, when } = useI18n();
  const [data, setData] = useState<TaskPage | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api.tasks(page, PAGE_SIZE).then(
      (d) => {
        setData(d);
        setError(null);
      },
      (e: unknown) => setError(e instanceof ApiError ? e.message || String(e.status) : String(e)),
    );
  }, [page]);

  useEffect(load, [load, reloadKey]);
  const anyWorking = data?.items.some((x) => isWorking(x.status)) ?? false;
  useEffect(() => {
    if (!anyWorking) return;
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [anyWorking, load]);

  const remove = async (id: string, name: string) => {
    if (!confirm(t('list.confirmDelete', { name }))) return;
    try {
      await api.deleteTask(id);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
    load();
  };

  const pages = data ? Math.max(1, Math.ceil(data.total / data.page_size)) : 1;
  return (
    <section className="panel tasks" aria-labelledby="tasks-title">
      <h2 id="tasks-title">{t('list.title')}</h2>
      {error && (
        <p className="message error" role="alert">
          {t('error.generic', { message: error })}
        </p>
      )}
      {!data && !error && <p className="muted">{t('error.loading')}</p>}
      {data && data.items.length === 0 && <p className="muted">{t('list.empty')}</p>}
      {data && data.items.length > 0 && (
        <ul className="task-list" data-testid="task-list">
          {data.items.map((task) => (
            <li key={task.id} className="task-row" data-task-id={task.id}>
              <a className="task-link" href={hrefFor.task(task.id)}>
                <span className="task-name">{task.filename}</span>
                <span className="muted task-when">{when(task.created_at)}</span>
              </a>
              <StatusBadge task={task} />
              {task.table_count !== null && task.table_count > 0 && (
                <span className="muted">{task.table_count === 1 ? t('list.table') : t('list.tables', { n: task.table_count })}</span>
              )}
              <button
                type="button"
                className="link danger"
                onClick={() => void remove(task.id, task.filename)}
                aria-label={`${t('list.delete')} ${task.filename}`}
              >
                {t('list.delete')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {data && pages > 1 && (
        <nav className="pager" aria-label={t('list.pageOf', { page, pages })}>
          {page > 1 ? <a href={hrefFor.home(page - 1)}>{t('list.prev')}</a> : <span />}
          <span className="muted">{t('list.pageOf', { page, pages })}</span>
          {page < pages ? <a href={hrefFor.home(page + 1)}>{t('list.next')}</a> : <span />}
        </nav>
      )}
    </section>
  );
}
