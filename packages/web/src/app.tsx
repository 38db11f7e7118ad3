/**
 * The shell: header with language switch, sign-out and service health, then the list or one task.
 * When the server has access tokens and the person is not signed in, the sign-in form takes the
 * content's place; the address (hash) is left alone, so signing in returns to where they were.
 */
import { useState } from 'react';
import { useAuth } from './auth.hook.ts';
import { useHealth } from './health.hook.ts';
import { I18nProvider, useI18n } from './i18n.context.tsx';
import { LANGS, LANG_NAMES, type Lang } from './i18n.messages.ts';
import { hrefFor, navigationGuard, useRoute } from './route.hash.ts';
import { SignIn } from './signin.view.tsx';
import { TaskView } from './task.view.tsx';
import { TasksList } from './tasks.list.tsx';
import { UploadPanel } from './upload.panel.tsx';
import { DEFAULT_MAX_UPLOAD_MB } from './upload.check.ts';

function Shell() {
  const { t, lang, setLang } = useI18n();
  const route = useRoute();
  const health = useHealth();
  const auth = useAuth();
  const [reloadKey, setReloadKey] = useState(0);
  // Bumped after a sign-in over a page whose session had ended: the page reloads its data.
  const [contentKey, setContentKey] = useState(0);
  const { state } = auth;
  const expired = state.kind === 'signed-out' && state.why === 'expired';
  const showContent = state.kind === 'open' || state.kind === 'signed-in' || expired;

  const signIn = async (token: string) => {
    await auth.signIn(token);
    // Unsaved table edits are worth more than fresh data: keep the page as it is then (Save works again).
    if (expired && !navigationGuard.blocked()) setContentKey((k) => k + 1);
  };
  const signOut = () => {
    if (navigationGuard.blocked() && !confirm(navigationGuard.message())) return;
    void auth.signOut();
  };
  const maxMb = health.kind === 'ok' || health.kind === 'down' ? (health.health.max_upload_mb ?? DEFAULT_MAX_UPLOAD_MB) : DEFAULT_MAX_UPLOAD_MB;

  return (
    <>
      <a className="skip-link" href="#content">
        {t('app.skip')}
      </a>
      <header className="app-header">
        <a className="brand" href={hrefFor.home()}>
          <span className="logo" aria-hidden="true">
            ▦
          </span>
          <span>
            <strong>{t('app.title')}</strong>
            <span className="tagline">{t('app.tagline')}</span>
          </span>
        </a>
        <div className="header-actions">
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
          {state.kind === 'signed-in' && state.via === 'cookie' && (
            <button type="button" onClick={signOut} data-testid="signout">
              {t('auth.signOut')}
            </button>
          )}
        </div>
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
      {state.kind === 'checking' && (
        <main>
          <p className="muted">{t('error.loading')}</p>
        </main>
      )}
      {state.kind === 'signed-out' && !expired && (
        <main className="signin-page">
          <SignIn onSignIn={signIn} expired={false} />
        </main>
      )}
      {expired && (
        <div className="signin-backdrop" role="dialog" aria-modal="true" aria-labelledby="signin-title">
          <SignIn onSignIn={signIn} expired />
        </div>
      )}
      {showContent && (
        <div id="content" key={contentKey} inert={expired || undefined}>
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
      )}
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
