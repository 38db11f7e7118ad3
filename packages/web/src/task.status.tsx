/** The task's state in plain words, a spinner while work goes on, and the way out of a failure. */
import { useState } from 'react';
import { api, ApiError } from './api.client.ts';
import { FAILED, isWorking, type Task } from './api.types.ts';
import { useI18n } from './i18n.context.tsx';

export function StatusBadge({ task }: { task: Task }) {
  const { t } = useI18n();
  const kind = FAILED.includes(task.status) ? 'failed' : isWorking(task.status) ? 'working' : 'done';
  return (
    <span className={`badge badge-${kind}`} data-status={task.status} data-testid="status-badge">
      {kind === 'working' && <span className="spinner" aria-hidden="true" />}
      {t(`status.${task.status}`)}
    </span>
  );
}

/** Steps of the happy path, for the progress bar while OCR runs. */
const STEPS = ['uploaded', 'ocr_processing', 'ocr_done', 'excel_generated', 'editable'] as const;

export function StatusPanel({ task, onTask }: { task: Task; onTask(t: Task): void }) {
  const { t } = useI18n();
  const [retrying, setRetrying] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const failed = FAILED.includes(task.status);
  const step = STEPS.indexOf(task.status as (typeof STEPS)[number]);

  const retry = async () => {
    setRetrying(true);
    setError(null);
    try {
      onTask(await api.retry(task.id));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setRetrying(false);
    }
  };

  return (
    <div className={`status-panel${failed ? ' failed' : ''}`} role="status" aria-live="polite" data-testid="status-panel">
      <StatusBadge task={task} />
      {isWorking(task.status) && (
        <>
          <progress className="steps" max={STEPS.length - 1} value={Math.max(0, step)} aria-label={t(`status.${task.status}`)} />
          <p className="muted">{t('status.working')}</p>
        </>
      )}
      {failed && (
        <>
          {task.error_message && <p className="message error">{task.error_message}</p>}
          <button type="button" className="primary" onClick={retry} disabled={retrying} data-testid="retry">
            {retrying ? t('status.retrying') : t('status.retry')}
          </button>
          {error && (
            <p className="message error" role="alert">
              {t('error.generic', { message: error })}
            </p>
          )}
        </>
      )}
    </div>
  );
}
