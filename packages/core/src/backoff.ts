/**
 * The back-off between retries of a remote call (model endpoints, the OCR service from the
 * workbench): exponential, with "equal jitter" — at least half the ceiling, so a peer that is
 * restarting is not polled in a tight loop, and at most the ceiling, so callers that failed together
 * spread out. A `Retry-After` the peer sent wins (plus a little jitter), up to the longest wait.
 *
 * The SDK (`@ocrflow/client`, `backoffMs`) keeps a copy of the same formula: it depends on nothing
 * of ours at run time (importing core would bring exceljs and the outputs into every program that
 * uses it); a test checks the two agree.
 */
export interface BackoffPolicy {
  /** Ceiling of the first wait; doubles per attempt. */
  baseDelayMs: number;
  /** Longest single wait, `Retry-After` included. */
  maxDelayMs: number;
}

export function backoffDelay(attempt: number, policy: BackoffPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, retryAfterMs + random() * Math.min(250, policy.baseDelayMs));
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
