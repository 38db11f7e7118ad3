/** Messages between the job runner (main thread) and an OCR worker thread. */
import type { EngineName, Page, SerializedError } from '@ocrflow/core';

export interface RunOptions {
  engine: EngineName;
  mode: 'layout' | 'text';
  languages: string[];
  prompt?: string;
  /** Straighten photographed pages; undefined = config `straighten`. */
  straighten?: boolean;
  maxPixels: number;
  maxPages: number;
}

export type ToThread =
  /** Process the document's pages except `skip`; stop after `budget` pages (then `paused`). */
  | { type: 'run'; runId: number; data: Uint8Array; opts: RunOptions; skip: number[]; budget: number }
  /** Stop at the next page boundary (and abort the engine's work where it listens). */
  | { type: 'stop'; runId: number }
  /**
   * The answer to each `page`: the thread waits for it before the next page, so a stop or a pause
   * (memory cap reached: report `paused` and get recycled) takes effect exactly at that boundary,
   * and pages never pile up faster than the main thread stores them.
   */
  | { type: 'verdict'; runId: number; verdict: 'continue' | 'stop' | 'pause' }
  /** Release engine sessions before the thread is terminated. */
  | { type: 'dispose' }
  /**
   * Fault injection (tests): die of an uncaught exception before the next page starts (or the run
   * reports done) — the way a
   * bug in an engine kills a thread — at a moment when no native inference is in flight.
   */
  | { type: 'fault' };

export type RunOutcome = 'complete' | 'paused' | 'stopped';

export type FromThread =
  | { type: 'ready' }
  | { type: 'opened'; runId: number; pageCount: number; ms: number }
  | { type: 'page'; runId: number; index: number; page: Page; ms: number; rss: number }
  | { type: 'done'; runId: number; outcome: RunOutcome }
  /** `detail` (a stack) is for the log only, never for clients. */
  | { type: 'error'; runId: number; error: SerializedError; detail?: string }
  | { type: 'disposed' };
