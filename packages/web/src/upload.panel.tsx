/**
 * Upload by click, keyboard (the drop zone is a labelled button-like region: Enter/Space open the
 * picker) or drag-and-drop. The file is checked before sending; progress is shown while it goes up;
 * on success the page moves to the new task, whose status then updates by itself.
 */
import { useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { ApiError, uploadImage } from './api.client.ts';
import type { Task } from './api.types.ts';
import { useI18n } from './i18n.context.tsx';
import { ACCEPT_ATTR, checkUpload } from './upload.check.ts';

interface Props {
  maxMb: number;
  onUploaded(task: Task): void;
}

export function UploadPanel({ maxMb, onUploaded }: Props) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [progress, setProgress] = useState<{ name: string; pct: number } | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const send = async (file: File) => {
    setMessage(null);
    const problem = checkUpload(file, maxMb);
    if (problem) {
      if (problem.kind === 'type') setMessage(t('upload.badType', { name: file.name }));
      else if (problem.kind === 'empty') setMessage(t('upload.empty', { name: file.name }));
      else setMessage(t('upload.tooBig', { name: file.name, size: problem.sizeMb, mb: problem.maxMb }));
      return;
    }
    setProgress({ name: file.name, pct: 0 });
    try {
      const task = await uploadImage(file, (f) => setProgress({ name: file.name, pct: Math.round(f * 100) }));
      onUploaded(task);
    } catch (e) {
      const err = e instanceof ApiError ? e : null;
      setMessage(err?.code === 'NETWORK' || !err ? t('upload.network') : t('upload.failed', { message: err.message }));
    } finally {
      setProgress(null);
      if (input.current) input.current.value = '';
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file && !progress) void send(file);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      input.current?.click();
    }
  };

  return (
    <section className="panel upload" aria-labelledby="upload-title">
      <h2 id="upload-title">{t('upload.title')}</h2>
      {/* biome-ignore lint/a11y/useSemanticElements: a drop target laid out as a panel; role, tabIndex and the key handler give it a button's semantics */}
      <div
        className={`dropzone${dragging ? ' dragging' : ''}${progress ? ' busy' : ''}`}
        role="button"
        tabIndex={0}
        aria-describedby="upload-types"
        aria-disabled={progress ? true : undefined}
        data-testid="dropzone"
        onClick={() => !progress && input.current?.click()}
        onKeyDown={onKey}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <span className="dropzone-icon" aria-hidden="true">
          ⇪
        </span>
        <span className="dropzone-hint">{t('upload.hint')}</span>
        <span id="upload-types" className="muted">
          {t('upload.types', { mb: maxMb })}
        </span>
      </div>
      <label className="visually-hidden" htmlFor="upload-input">
        {t('upload.button')}
      </label>
      <input
        id="upload-input"
        ref={input}
        className="visually-hidden"
        type="file"
        accept={ACCEPT_ATTR}
        tabIndex={-1}
        data-testid="upload-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void send(f);
        }}
      />
      {progress && (
        <div className="upload-progress" role="status">
          <span>{t('upload.progress', { name: progress.name, pct: progress.pct })}</span>
          <progress max={100} value={progress.pct} aria-label={progress.name} />
        </div>
      )}
      {message && (
        <p className="message error" role="alert" data-testid="upload-message">
          {message}
        </p>
      )}
    </section>
  );
}
