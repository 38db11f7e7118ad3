/**
 * Whether the person may use the workbench, and sign-in / sign-out. At start the server is asked
 * (`/auth/session`); afterwards any 401 from the API (an expired or signed-out session) flips the
 * state back to signed-out. A server that cannot be asked (offline, or an older server without
 * sign-in) counts as open: the page works as before and a later 401 still leads to sign-in.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, onUnauthorized } from './api.client.ts';
import type { SessionInfo } from './api.types.ts';

/** The session check, asked again while the server is still starting (503), at most for a minute. */
async function readSession(alive: () => boolean): Promise<SessionInfo> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.session();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 503) || attempt >= 60 || !alive()) throw e;
      await new Promise((r) => setTimeout(r, (e.retryAfter ?? 1) * 1000));
    }
  }
}

export type AuthState =
  | { kind: 'checking' }
  /** No access tokens configured on the server. */
  | { kind: 'open' }
  | { kind: 'signed-in'; via: 'cookie' | 'bearer' }
  /** `expired`: the session ended while the page was in use (the page stays, under the sign-in dialog). */
  | { kind: 'signed-out'; why: 'start' | 'expired' | 'signed-out' };

export interface Auth {
  state: AuthState;
  /** Rejects with the ApiError of the sign-in (401 wrong token, 429 too many attempts, …). */
  signIn(token: string): Promise<void>;
  signOut(): Promise<void>;
}

export function useAuth(): Auth {
  const [state, setState] = useState<AuthState>({ kind: 'checking' });

  useEffect(() => {
    let alive = true;
    readSession(() => alive).then(
      (s) =>
        alive &&
        setState(!s.auth_required ? { kind: 'open' } : s.signed_in && s.via ? { kind: 'signed-in', via: s.via } : { kind: 'signed-out', why: 'start' }),
      () => alive && setState({ kind: 'open' }),
    );
    const off = onUnauthorized(() => setState((s) => (s.kind === 'signed-out' ? s : { kind: 'signed-out', why: s.kind === 'checking' ? 'start' : 'expired' })));
    return () => {
      alive = false;
      off();
    };
  }, []);

  const signIn = useCallback(async (token: string) => {
    const s = await api.login(token);
    setState(s.auth_required ? { kind: 'signed-in', via: 'cookie' } : { kind: 'open' });
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      // Even when the server cannot be told, the page stops showing documents.
      setState({ kind: 'signed-out', why: 'signed-out' });
    }
  }, []);

  return { state, signIn, signOut };
}
