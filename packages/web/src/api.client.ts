/**
 * The workbench API over fetch. Every answer is the envelope `{success, message, data, code?}`; a
 * failed one becomes an ApiError carrying the HTTP status and the server's plain message, which the
 * UI shows as is (it is written for people) unless it has a better word for the code.
 *
 * Sign-in (docs/workbench-api.md, "Authentication"): the browser holds an HttpOnly session cookie,
 * which it sends by itself with every request — fetch, EventSource and <img> alike — so nothing here
 * handles tokens. Every request carries `X-Requested-With: ocrflow`, which the server requires on
 * cookie-authenticated changes (its CSRF defence). A 401 from any call except the sign-in routes
 * is announced to `onUnauthorized` listeners, and the shell then asks the person to sign in.
 */
import type { Analysis, Health, OcrDocument, SessionInfo, Sheet, TablesData, Task, TaskPage, TextData } from './api.types.ts';

const BASE = 'api/v1';
const CSRF_HEADERS = { 'x-requested-with': 'ocrflow' } as const;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
    /** Seconds, from Retry-After (429, 503). */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const unauthorizedListeners = new Set<() => void>();

/** Called whenever the server says the caller is not (or no longer) signed in. Returns the unsubscribe. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

function announce(status: number, code: string | null | undefined, path: string): void {
  if (status === 401 && code === 'OCRFLOW_ERR_UNAUTHORIZED' && !path.startsWith('auth/')) for (const l of unauthorizedListeners) l();
}

const retryAfterOf = (v: string | null) => (v && /^\d+$/.test(v) ? Number(v) : null);

interface Envelope<T> {
  success: boolean;
  message: string;
  data: T;
  code?: string;
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${BASE}/${path}`, { ...init, headers: { ...CSRF_HEADERS, ...(init.headers as Record<string, string> | undefined) } });
  } catch {
    // fetch only rejects when the server cannot be reached at all.
    throw new ApiError(0, '', 'NETWORK');
  }
  let body: Envelope<T> | null = null;
  try {
    body = (await res.json()) as Envelope<T>;
  } catch {
    body = null;
  }
  if (!res.ok || !body || body.success === false) {
    announce(res.status, body?.code, path);
    throw new ApiError(res.status, body?.message ?? res.statusText, body?.code ?? null, retryAfterOf(res.headers.get('retry-after')));
  }
  return body.data;
}

const json = (method: string, value: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

export const api = {
  health: () => request<Health>('ocr/health'),
  session: () => request<SessionInfo>('auth/session'),
  login: (token: string) => request<SessionInfo>('auth/login', json('POST', { token })),
  logout: () => request<SessionInfo>('auth/logout', { method: 'POST' }),
  tasks: (page: number, pageSize: number) => request<TaskPage>(`tasks?page=${page}&page_size=${pageSize}`),
  task: (id: string) => request<Task>(`tasks/${encodeURIComponent(id)}`),
  deleteTask: (id: string) => request<unknown>(`tasks/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  retry: (id: string) => request<Task>(`ocr/retry/${encodeURIComponent(id)}`, { method: 'POST' }),
  document: (id: string) => request<OcrDocument>(`tasks/${encodeURIComponent(id)}/document`),
  text: (id: string) => request<TextData>(`tasks/${encodeURIComponent(id)}/text`),
  analysis: (id: string) => request<Analysis>(`tasks/${encodeURIComponent(id)}/analysis`),
  tables: (id: string, version?: number) => request<TablesData>(`tasks/${encodeURIComponent(id)}/tables${version ? `?version=${version}` : ''}`),
  saveTables: (id: string, sheets: Sheet[], baseVersion: number) =>
    request<{ version: number }>(`tasks/${encodeURIComponent(id)}/tables`, json('PUT', { sheets, base_version: baseVersion })),
  /** Long-poll: answers when the task changed after `since` or after `timeoutMs`. */
  poll: (id: string, since: string, timeoutMs: number, signal: AbortSignal) =>
    request<Task>(`tasks/${encodeURIComponent(id)}/events?since=${encodeURIComponent(since)}&timeout_ms=${timeoutMs}`, { signal }),
};

export const urls = {
  image: (id: string, page?: number) => `${BASE}/tasks/${encodeURIComponent(id)}/image${page === undefined ? '' : `?page=${page}`}`,
  /** The searchable PDF of the upload. */
  pdf: (id: string) => `${BASE}/tasks/${encodeURIComponent(id)}/pdf`,
  excel: (id: string, version?: number) => `${BASE}/tasks/${encodeURIComponent(id)}/excel${version ? `?version=${version}` : ''}`,
  events: (id: string) => `${BASE}/tasks/${encodeURIComponent(id)}/events`,
};

/**
 * Upload with progress. fetch cannot report upload progress, XMLHttpRequest can; `onProgress`
 * gets 0..1. Resolves with the created task, rejects with an ApiError.
 */
export function uploadImage(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<Task> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${BASE}/upload/image`);
    xhr.setRequestHeader('x-requested-with', CSRF_HEADERS['x-requested-with']);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body = xhr.response as Envelope<Task> | null;
      if (xhr.status >= 200 && xhr.status < 300 && body?.success) resolve(body.data);
      else {
        announce(xhr.status, body?.code, 'upload/image');
        reject(new ApiError(xhr.status, body?.message ?? xhr.statusText, body?.code ?? null, retryAfterOf(xhr.getResponseHeader('retry-after'))));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, '', 'NETWORK'));
    xhr.onabort = () => reject(new ApiError(0, '', 'ABORTED'));
    signal?.addEventListener('abort', () => xhr.abort());
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}
