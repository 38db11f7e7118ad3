/**
 * The sign-in form: one access token (a password field, so it is masked and password managers
 * offer to keep it). A full page when the person arrives signed out; a dialog over the page when
 * the session ends while they work, so the page (and any unsaved edits) stays underneath.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from './api.client.ts';
import { useI18n } from './i18n.context.tsx';

interface Props {
  onSignIn(token: string): Promise<void>;
  /** The session ended while the page was in use. */
  expired: boolean;
}

export function SignIn({ onSignIn, expired }: Props) {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!token || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSignIn(token);
    } catch (err) {
      const a = err instanceof ApiError ? err : null;
      if (a?.status === 401) setError(t('auth.wrong'));
      else if (a?.status === 429) setError(t('auth.tooMany', { s: a.retryAfter ?? 60 }));
      else if (!a || a.code === 'NETWORK') setError(t('auth.network'));
      else setError(t('auth.failed', { message: a.message }));
      setBusy(false);
    }
  };

  return (
    <form className="panel signin" onSubmit={submit} data-testid="signin-form" aria-labelledby="signin-title">
      <h1 id="signin-title">{t('auth.title')}</h1>
      <p className="muted">{expired ? t('auth.expired') : t('auth.intro')}</p>
      <label htmlFor="signin-token">{t('auth.token')}</label>
      <input
        id="signin-token"
        name="token"
        type="password"
        autoComplete="current-password"
        // biome-ignore lint/a11y/noAutofocus: the sign-in page has one field and nothing else to do
        autoFocus
        required
        value={token}
        onChange={(e) => setToken(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'signin-error' : undefined}
        data-testid="signin-token"
      />
      <button type="submit" className="primary" disabled={busy || !token} data-testid="signin-submit">
        {busy ? t('auth.submitting') : t('auth.submit')}
      </button>
      {error && (
        <p id="signin-error" className="message error" role="alert" data-testid="signin-error">
          {error}
        </p>
      )}
    </form>
  );
}
