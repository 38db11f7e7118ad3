/**
 * Accepting a document: stream it to a temporary blob (size limit, sha256), validate it cheaply,
 * apply task_id idempotency and queue capacity, then make it durable — the file is fsynced and
 * renamed into place before the job row and its `queued` event are committed — and only then
 * answer. Anything refused leaves no file and no row behind.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { OcrflowError, type Caller } from '@ocrflow/core';
import type { TempBlob } from '../ports/blob-store.port.ts';
import { TaskIdTakenError } from '../ports/job-store.port.ts';
import type { JobRecord } from '../ports/job.types.ts';
import { newJobId } from '../util/ids.ts';
import { DEFAULT_PRIORITY } from '../ports/job.priority.ts';
import type { ServiceContext } from './service.context.ts';
import type { SubmitInput } from './submit.input.ts';

/** Extra validation other features add (e.g. webhook target safety). Throw OcrflowError to refuse. */
export type SubmitCheck = (input: SubmitInput) => Promise<void> | void;

export interface SubmitResult {
  job: JobRecord;
  /** false when an existing job with the same task_id and content was returned. */
  created: boolean;
}

export class SubmissionService {
  private readonly checks: SubmitCheck[] = [];

  constructor(private readonly ctx: ServiceContext) {}

  addSubmitCheck(check: SubmitCheck): void {
    this.checks.push(check);
  }

  get maxUploadBytes(): number {
    return Math.floor(this.ctx.config.maxUploadMb * 1024 * 1024);
  }

  /** Refuse early (before reading the body) when the queue is full. */
  async assertCapacity(): Promise<void> {
    const size = await this.ctx.queue.size();
    if (size >= this.ctx.config.queueMax) {
      const perJobMs = this.ctx.stats.avgRunMs || 10_000;
      const retryAfter = Math.min(3600, Math.max(1, Math.ceil(((size - this.ctx.config.queueMax + 1) * perJobMs) / this.ctx.config.workers / 1000)));
      throw new OcrflowError('OCRFLOW_ERR_QUEUE_FULL', `The job queue is full (${size} jobs waiting); retry later`, {
        retry_after_s: retryAfter,
        queue_len: size,
      });
    }
  }

  /** Stream an upload to a temporary blob. The caller must pass it to `submit` or `discard`. */
  receive(source: Readable): Promise<TempBlob> {
    return this.ctx.blobs.receive(source, { maxBytes: this.maxUploadBytes });
  }

  discard(temp: TempBlob): Promise<void> {
    return this.ctx.blobs.discard(temp);
  }

  /**
   * A `file_path` submission: only files under OCRFLOW_INPUT_DIRS, judged on the real path (so
   * `..` and symlinks cannot escape) and re-checked on the opened descriptor (so the file cannot
   * be swapped between the check and the read).
   */
  async receivePath(filePath: string): Promise<{ temp: TempBlob; filename: string }> {
    const roots = this.ctx.config.inputDirs;
    const forbidden = () =>
      new OcrflowError('OCRFLOW_ERR_FORBIDDEN_PATH', roots.length ? undefined : 'file_path submissions are disabled: no OCRFLOW_INPUT_DIRS configured');
    if (!roots.length) throw forbidden();
    if (!path.isAbsolute(filePath) || filePath.includes('\0'))
      throw new OcrflowError('OCRFLOW_ERR_VALIDATION', 'file_path must be an absolute path', { field: 'file_path' });
    const realRoots = await Promise.all(roots.map(async (r) => [path.resolve(r), await fsp.realpath(r).catch(() => null)] as const));
    const allowed = (p: string) => realRoots.some(([lexical, real]) => isUnder(p, lexical) || (real !== null && isUnder(p, real)));
    // Lexical check first: a path outside every root gets 403 without revealing whether it exists.
    if (!allowed(path.resolve(filePath))) throw forbidden();
    let real: string;
    try {
      real = await fsp.realpath(filePath);
    } catch {
      throw new OcrflowError('OCRFLOW_ERR_FILE_NOT_FOUND', 'The file does not exist', { file_path: filePath });
    }
    if (!realRoots.some(([, r]) => r !== null && isUnder(real, r))) throw forbidden();
    // The type is checked before opening: opening a FIFO blocks until a writer appears, and each
    // such open holds one of libuv's few pool threads, which every upload and file read share.
    const notRegular = () =>
      new OcrflowError('OCRFLOW_ERR_NOT_REGULAR_FILE', 'file_path is not a regular file (a directory, FIFO, socket or device cannot be read as a document)', {
        field: 'file_path',
      });
    const pre = await fsp.stat(real).catch(() => null);
    if (!pre) throw new OcrflowError('OCRFLOW_ERR_FILE_NOT_FOUND', 'The file does not exist', { file_path: filePath });
    if (!pre.isFile()) throw notRegular();
    // O_NONBLOCK: should the path become a FIFO between the check and the open, the open still
    // returns at once, and the descriptor's own type is checked below.
    const fh = await fsp.open(real, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK).catch(() => {
      throw new OcrflowError('OCRFLOW_ERR_FILE_NOT_FOUND', 'The file cannot be read', { file_path: filePath });
    });
    try {
      const [st, again] = await Promise.all([fh.stat(), fsp.stat(real)]);
      if (!st.isFile()) throw notRegular();
      if (st.ino !== again.ino || st.dev !== again.dev) throw forbidden();
      const temp = await this.receive(fh.createReadStream({ autoClose: false }));
      return { temp, filename: path.basename(real) };
    } finally {
      await fh.close().catch((err) => this.ctx.log.warn({ err }, 'closing a server-side file after reading it failed'));
    }
  }

  /** Validate, deduplicate and persist. Always consumes `temp` (committed or discarded). */
  /** The job belongs to the caller's tenant; task_id idempotency is within that tenant. */
  /**
   * `linked`: writes that must be durable before the new job can be run (a batch's link to its
   * document), made after the job's commit and before it is queued; not called for an existing job.
   */
  async submit(
    caller: Caller,
    temp: TempBlob,
    input: SubmitInput,
    meta: { filename: string | null; receiveMs: number; linked?: (job: JobRecord) => Promise<void> },
  ): Promise<SubmitResult> {
    const { store, blobs, bus, queue, pipeline, config } = this.ctx;
    // Set while the upload is committed but its row is not: the blob must go if the insert fails.
    let orphanPrefix: string | null = null;
    try {
      for (const check of this.checks) await check(input);
      if (temp.size === 0) throw new OcrflowError('OCRFLOW_ERR_EMPTY_FILE');
      const t0 = performance.now();
      const info = await pipeline.inspect(await blobs.readTemp(temp), { maxPixels: config.maxPixels, maxPages: config.maxPages });
      const inspectMs = performance.now() - t0;
      const contentHash = hashContent(temp.sha256, input);

      if (input.taskId !== null) {
        const existing = await store.getJobByTaskId(caller.tenant, input.taskId);
        if (existing) return this.sameOrConflict(existing, contentHash);
      }
      await this.assertCapacity();

      const id = newJobId();
      const sourceKey = `jobs/${id}/source`;
      orphanPrefix = `jobs/${id}`;
      await blobs.commit(temp, sourceKey);
      const now = this.ctx.now();
      try {
        const t = await store.insertJob({
          id,
          tenant: caller.tenant,
          taskId: input.taskId,
          engine: input.engine,
          mode: input.mode,
          languages: input.languages,
          prompt: input.prompt,
          webhookUrl: input.webhookUrl,
          filename: meta.filename,
          mime: info.mime,
          sizeBytes: temp.size,
          sha256: temp.sha256,
          contentHash,
          sourceKey,
          pageCount: info.pageCount,
          metrics: { receive_ms: round(meta.receiveMs), inspect_ms: round(inspectMs) },
          // The priority is kept with the job (re-queued and recovered jobs keep their place).
          options: input.priority !== undefined ? { ...input.options, priority: input.priority } : input.options,
          now,
        });
        orphanPrefix = null;
        try {
          await meta.linked?.(t.job);
        } finally {
          await bus.publish(t.event);
          await queue.enqueue(id, { priority: input.priority ?? DEFAULT_PRIORITY });
        }
        return { job: t.job, created: true };
      } catch (e) {
        if (!(e instanceof TaskIdTakenError)) throw e;
        // Lost a race with a concurrent submission of the same task_id.
        const existing = await store.getJobByTaskId(e.tenant, e.taskId);
        if (!existing) throw e;
        return this.sameOrConflict(existing, contentHash);
      }
    } finally {
      if (orphanPrefix)
        await blobs
          .delete(orphanPrefix)
          .catch((err) => this.ctx.log.warn({ err, key: orphanPrefix }, 'removing the files of a job that was not created failed'));
      await blobs.discard(temp).catch((err) => this.ctx.log.warn({ err }, "removing an upload's temporary file failed"));
    }
  }

  private sameOrConflict(existing: JobRecord, contentHash: string): SubmitResult {
    if (existing.contentHash !== contentHash)
      throw new OcrflowError('OCRFLOW_ERR_TASK_ID_CONFLICT', `A job with task_id ${JSON.stringify(existing.taskId)} exists with different content`, {
        job_id: existing.id,
      });
    return { job: existing, created: false };
  }
}

/** What "the same content" means for task_id idempotency: the bytes and every option that changes the result or its delivery. */
function hashContent(sha256: string, i: SubmitInput): string {
  const canonical = JSON.stringify({
    sha256,
    engine: i.engine,
    mode: i.mode,
    languages: i.languages,
    prompt: i.prompt,
    webhook_url: i.webhookUrl,
    options: i.options,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

function isUnder(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

const round = (ms: number) => Math.round(ms * 10) / 10;
