/**
 * Routing by the URL hash (`#/`, `#/tasks/{id}`): a task has its own address that survives a
 * reload and can be bookmarked, and the server needs no fallback route for client paths.
 */
import { useEffect, useState } from 'react';

export type Route = { name: 'home'; page: number } | { name: 'task'; id: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const m = /^\/tasks\/([^/?]+)/.exec(path);
  if (m) return { name: 'task', id: decodeURIComponent(m[1]) };
  const page = Number(/[?&]page=(\d+)/.exec(path)?.[1] ?? '1');
  return { name: 'home', page: Number.isFinite(page) && page >= 1 ? page : 1 };
}

export const hrefFor = {
  home: (page = 1) => (page > 1 ? `#/?page=${page}` : '#/'),
  task: (id: string) => `#/tasks/${encodeURIComponent(id)}`,
};

/**
 * Unsaved edits block in-app navigation too (the browser's `beforeunload` only covers leaving the
 * page): the editor sets `blocked`, and a declined confirm puts the previous address back.
 */
export const navigationGuard: { blocked: () => boolean; message: () => string } = {
  blocked: () => false,
  message: () => '',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    let current = location.hash;
    const on = () => {
      if (location.hash === current) return;
      if (navigationGuard.blocked() && !confirm(navigationGuard.message())) {
        history.replaceState(null, '', current || '#/');
        return;
      }
      current = location.hash;
      setRoute(parseRoute(location.hash));
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
