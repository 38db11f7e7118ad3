/**
 * An OCR worker thread: keeps its engine sessions (loaded once per thread, reused for every page
 * and job) and processes one document at a time, page by page, reporting each page as soon as it
 * is done. Runs off the main event loop so the API stays responsive while pages are recognised.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isOcrflowError, OcrflowError, serializeError } from '@ocrflow/core';
import * as engines from '@ocrflow/engines';
import type { SourceDocument } from '@ocrflow/engines';
import type { FromThread, ToThread } from './worker.messages.ts';

if (!parentPort) throw new Error('ocr.worker.ts must run in a worker thread');
const port = parentPort;
const post = (m: FromThread) => port.postMessage(m);
// The engines' options, mapped by the pool from the server's configuration (flags included).
const data = workerData as { options: engines.EngineOptions; limits?: { limits: engines.SharedLimits; owner: number } };
const options = data.options;
// Remote-engine concurrency is limited per process, not per thread: adopt the pool's shared slots.
if (data.limits) engines.useSharedLimits(data.limits.limits, data.limits.owner);

type Verdict = Extract<ToThread, { type: 'verdict' }>['verdict'];
let current: { runId: number; ac: AbortController; pause: boolean; verdict: ((v: Verdict) => void) | null } | null = null;
let faultRequested = false;

/** Schedules an uncaught exception: the thread ends with an 'error' event, like any crash. */
function dieOfFault(): Promise<never> {
  process.nextTick(() => {
    throw new Error('injected fault: OCR worker thread crashing on purpose');
  });
  return new Promise<never>(() => {});
}

port.on('message', (m: ToThread) => {
  switch (m.type) {
    case 'run':
      void run(m);
      break;
    case 'stop':
      if (current?.runId === m.runId) {
        current.ac.abort();
        current.verdict?.('stop');
      }
      break;
    case 'verdict':
      if (current?.runId === m.runId) current.verdict?.(m.verdict);
      break;
    case 'dispose':
      void dispose();
      break;
    case 'fault':
      faultRequested = true;
      if (!current) void dieOfFault();
      break;
  }
});

async function run(m: Extract<ToThread, { type: 'run' }>): Promise<void> {
  const state: NonNullable<typeof current> = { runId: m.runId, ac: new AbortController(), pause: false, verdict: null };
  current = state;
  const skip = new Set(m.skip);
  let doc: SourceDocument | null = null;
  let pageIndex = -1;
  let pre: engines.PagePrefetch | null = null;
  // The pool may end this thread as soon as it hears the run is over: no decode may be in flight.
  const finish = async (msg: FromThread): Promise<void> => {
    await pre?.drain();
    post(msg);
  };
  try {
    const t0 = performance.now();
    doc = await engines.openDocument(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength), {
      maxPixels: m.opts.maxPixels,
      maxPages: m.opts.maxPages,
    });
    post({ type: 'opened', runId: m.runId, pageCount: doc.info.pageCount, ms: performance.now() - t0 });
    let processed = 0;
    const popts = {
      engine: m.opts.engine,
      mode: m.opts.mode,
      languages: m.opts.languages,
      prompt: m.opts.prompt,
      straighten: m.opts.straighten,
      signal: state.ac.signal,
      options,
    };
    // With OCRFLOW_PREFETCH_PAGES the next page is decoded while this one is read (pages stay in order).
    pre = new engines.PagePrefetch(doc, popts);
    const todo = Array.from({ length: doc.info.pageCount }, (_, i) => i).filter((i) => !skip.has(i));
    for (const [k, i] of todo.entries()) {
      if (faultRequested) await dieOfFault();
      if (state.ac.signal.aborted) return await finish({ type: 'done', runId: m.runId, outcome: 'stopped' });
      if (state.pause || processed >= m.budget) return await finish({ type: 'done', runId: m.runId, outcome: 'paused' });
      pageIndex = i;
      const tp = performance.now();
      const rendered = pre.take(i);
      if (options.prefetchPages && k + 1 < todo.length && processed + 1 < m.budget) pre.prefetch(todo[k + 1]);
      const page = await engines.ocrPage(doc, i, popts, await rendered);
      processed++;
      const verdict = new Promise<Verdict>((resolve) => (state.verdict = resolve));
      post({ type: 'page', runId: m.runId, index: i, page, ms: performance.now() - tp, rss: process.memoryUsage().rss });
      // Already told to stop (e.g. canceled mid-page): no need to wait for the answer.
      const v = state.ac.signal.aborted ? 'stop' : await verdict;
      state.verdict = null;
      if (v === 'stop') state.ac.abort();
      else if (v === 'pause') state.pause = true;
    }
    if (faultRequested) await dieOfFault();
    await finish({ type: 'done', runId: m.runId, outcome: 'complete' });
  } catch (e) {
    if (state.ac.signal.aborted) return await finish({ type: 'done', runId: m.runId, outcome: 'stopped' });
    // Document problems arrive as OcrflowErrors with their own codes; anything else is the
    // engine's fault, reported with a readable message (the stack goes to the log only).
    const error = isOcrflowError(e)
      ? serializeError(e)
      : serializeError(
          new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', pageIndex >= 0 ? `The OCR engine failed on page ${pageIndex + 1}` : 'The document could not be opened'),
        );
    await finish({ type: 'error', runId: m.runId, error, detail: (e as Error)?.stack ?? String(e) });
  } finally {
    try {
      doc?.close();
    } catch {
      /* closing a broken document must not mask the outcome */
    }
    if (current === state) current = null;
  }
}

async function dispose(): Promise<void> {
  try {
    await engines.disposeEngines();
  } finally {
    post({ type: 'disposed' });
  }
}

// Load the default engine's models now rather than on the first page: the first job is no slower
// than the others, and the pool reports a thread ready only once it can work. (Remote engines
// have nothing to load.) A failure here is reported again, readably, by the first job that uses it.
// Models an engine loads in the background are waited for too: the pool may end a ready thread at
// any time, and a native load cut short by that aborts the whole process.
if (options.engine === 'paddle' || options.engine === 'tesseract')
  await engines
    .getEngine(options.engine, options)
    .then((e) => e.ready?.())
    .catch(() => {});
post({ type: 'ready' });
