/** The shell: header with language switch and service health, then the list or one task. */
import { useState } from 'react';
import { useHealth } from './health.hook.ts';
import { I18nProvider, useI18n } from './i18n.context.tsx';
import { LANGS, LANG_NAMES, type Lang } from './i18n.messages.ts';
import { hrefFor, useRoute } from './route.hash.ts';
import { TaskView } from './task.view.tsx';
import { TasksList } from './tasks.list.tsx';
import { UploadPanel } from './upload.panel.tsx';
import { DEFAULT_MAX_UPLOAD_MB } from './upload.check.ts';

function Shell() {
  const { t, lang, setLang } = useI18n();
  const route = useRoute();
  const health = useHealth();
  const [reloadKey, setReloadKey] = useState(0);
  const maxMb = health.kind === 'ok' || health.kind === 'down' ? (health.health.max_upload_mb ?? DEFAULT_MAX_UPLOAD_MB) : DEFAULT_MAX_UPLOAD_MB;

  return (
    <>
      <a className="skip-link" href="#content">{t('app.skip')}</a>
      <header className="app-header">
        <a className="brand" href={hrefFor.home()}>
          <span className="logo" aria-hidden="true">▦</span>
          <span>
            <strong>{t('app.title')}</strong>
            <span className="tagline">{t('app.tagline')}</span>
          </span>
        </a>
        <label className="lang">
          <span className="visually-hidden">{t('lang.label')}</span>
          <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} data-testid="lang-select" aria-label={t('lang.label')}>
            {LANGS.map((l) => (
              <option key={l} value={l}>
                {LANG_NAMES[l]}
              </option>
            ))}
          </select>
        </label>
      </header>
      {health.kind === 'down' && (
        <p className="banner error" role="alert" data-testid="health-banner">
          {t('health.down')} {health.health.message && <span className="muted">({health.health.message})</span>}
        </p>
      )}
      {health.kind === 'offline' && (
        <p className="banner error" role="alert" data-testid="health-banner">
          {t('health.offline')}
        </p>
      )}
      <div id="content">
        {route.name === 'task' ? (
          <TaskView id={route.id} />
        ) : (
          <main className="home">
            <UploadPanel
              maxMb={maxMb}
              onUploaded={(task) => {
                setReloadKey((k) => k + 1);
                location.hash = hrefFor.task(task.id);
              }}
            />
            <TasksList page={route.page} reloadKey={reloadKey} />
          </main>
        )}
      </div>
    </>
  );
}

export function App() {
  return (
    <I18nProvider>
      <Shell />
    </I18nProvider>
  );
}
