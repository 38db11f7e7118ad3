/** How many requests may be in flight to one remote endpoint: in this thread, or shared by all threads. */
export interface EndpointLimiter {
  limit: number;
  readonly inUse: number;
  /** Rejects with `signal.reason` when aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<() => void>;
}
