/**
 * `GET /v1/batches/{id}/results`: one zip of every finished document's result in one format,
 * named `<position>_<file name>.<ext>`, and a `manifest.json` listing every document (its job,
 * task_id, status, error and entry). The zip is streamed: entries are opened one at a time as
 * the client reads, so a 10 000-document batch never sits in memory.
 */
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { OcrflowError, type Caller } from '@ocrflow/core';
import type { BatchRecord } from '../ports/batch-store.port.ts';
import type { JobRecord } from '../ports/job.types.ts';
import { resultFormat, resultFormatNames } from './result.formats.ts';
import type { ResultsService } from './results.service.ts';
import type { ServiceContext } from './service.context.ts';

interface ManifestEntry {
  position: number;
  job_id: string;
  task_id: string | null;
  filename: string | null;
  status: string;
  error: { code: string; message: string } | null;
  /** The entry in this zip; null when the document has not finished. */
  entry: string | null;
}

const PAGE = 500;

/** A file name safe in every unzip tool: no directories, no control or reserved characters. */
const safeName = (s: string): string => s.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_').slice(0, 120);

export class BatchResults {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly results: ResultsService,
  ) {}

  /** Checks the format first (a bad one is a JSON 400, not a broken zip). */
  zip(caller: Caller, batch: BatchRecord, format: string): { stream: Readable; filename: string } {
    const f = resultFormat(format);
    if (!f) throw new OcrflowError('OCRFLOW_ERR_UNSUPPORTED_FORMAT', `format must be one of ${resultFormatNames().join(', ')}`, { format });
    const ext = f.file?.split('.').pop() ?? format;
    const zip = new yazl.ZipFile();
    void this.fill(caller, batch, format, ext, zip).catch((err: unknown) => {
      this.ctx.log.error({ err, batch: batch.id }, 'building a batch results zip failed');
      (zip.outputStream as Readable).destroy(err instanceof Error ? err : new Error(String(err)));
    });
    return { stream: zip.outputStream as Readable, filename: `${safeName(batch.batchKey ?? batch.id)}-${format}.zip` };
  }

  private async fill(caller: Caller, batch: BatchRecord, format: string, ext: string, zip: yazl.ZipFile): Promise<void> {
    const manifest: ManifestEntry[] = [];
    for (let after = 0; ; ) {
      const docs = await this.ctx.batches.listDocuments(batch.id, after, PAGE);
      for (const d of docs) {
        const job = await this.ctx.store.getJob(d.jobId);
        if (!job) continue;
        const entry =
          job.status === 'finished' ? `${String(d.position).padStart(5, '0')}_${safeName((job.filename ?? job.id).replace(/\.[^.]*$/, ''))}.${ext}` : null;
        manifest.push({
          position: d.position,
          job_id: job.id,
          task_id: d.taskId,
          filename: job.filename,
          status: job.status,
          error: job.error ? { code: job.error.code, message: job.error.message } : null,
          entry,
        });
        if (entry)
          zip.addReadStreamLazy(
            entry,
            { compress: ext !== 'xlsx' && ext !== 'pdf' },
            (cb) =>
              void this.open(caller, job, format).then(
                (s) => cb(null, s),
                (e: Error) => cb(e, undefined as never),
              ),
          );
      }
      if (docs.length < PAGE) break;
      after = docs[docs.length - 1].position;
    }
    zip.addBuffer(Buffer.from(JSON.stringify({ batch: batch.id, batch_id: batch.batchKey, format, documents: manifest }, null, 2)), 'manifest.json');
    zip.end();
  }

  private async open(caller: Caller, job: JobRecord, format: string): Promise<Readable> {
    const r = await this.results.read(caller, job.id, format, { partial: false });
    return r.body instanceof Readable ? r.body : Readable.from([typeof r.body === 'string' ? Buffer.from(r.body) : r.body]);
  }
}
