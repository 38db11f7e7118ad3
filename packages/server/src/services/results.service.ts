/**
 * Results: pages are stored per page as they finish (JobStore.savePage); at completion the
 * document is assembled from them and every `file` format is written to the job's result
 * directory. Reads serve those files, render other formats from result.json, and (`partial`)
 * assemble whatever pages exist while a job is still running or after it failed.
 */
import type { Readable } from 'node:stream';
import { OcrflowError, type Caller, type OcrDocument, type Page } from '@ocrflow/core';
import type { JobRecord } from '../ports/job.types.ts';
import { RESULT_FORMATS, resultFormat, resultFormatNames, type RenderContext } from './result.formats.ts';
import type { JobsService } from './jobs.service.ts';
import type { ServiceContext } from './service.context.ts';

export interface ResultBody {
  mime: string;
  body: Readable | Buffer | string;
  partial: boolean;
  /** Suggested download name. */
  filename: string;
}

export const resultKeyOf = (jobId: string): string => `jobs/${jobId}/result`;

export class ResultsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly jobs: JobsService,
  ) {}

  /** The document from the pages stored so far (all of them once the job ran to the end). */
  async assemble(job: JobRecord): Promise<OcrDocument> {
    const pages = (await this.ctx.store.listPages(job.id)).map((p) => JSON.parse(p.json) as Page);
    return this.ctx.pipeline.assemble(pages, {
      engine: job.engine,
      languages: job.languages,
      mime: job.mime,
      filename: job.filename ?? undefined,
      page_count: job.pageCount,
    });
  }

  private renderContext(job: JobRecord): RenderContext {
    return { searchablePdf: async (doc) => this.ctx.pipeline.searchablePdf(doc, await this.ctx.blobs.get(job.sourceKey)) };
  }

  /** Write every file format into the result directory; returns its key. */
  async write(job: JobRecord, doc: OcrDocument): Promise<string> {
    const key = resultKeyOf(job.id);
    for (const f of Object.values(RESULT_FORMATS)) if (f.file) await this.ctx.blobs.put(`${key}/${f.file}`, await f.render(doc, this.renderContext(job)));
    return key;
  }

  /** Local directory of a finished job's results (DeepSeek-compatible `result_dir`), if the blob store has one. */
  resultDir(job: JobRecord): string | null {
    return job.resultKey ? this.ctx.blobs.localPath(job.resultKey) : null;
  }

  async read(caller: Caller, jobId: string, format: string, opts: { partial: boolean }): Promise<ResultBody> {
    const f = resultFormat(format);
    if (!f) throw new OcrflowError('OCRFLOW_ERR_UNSUPPORTED_FORMAT', `format must be one of ${resultFormatNames().join(', ')}`, { format });
    const job = await this.jobs.requireFor(caller, jobId);
    const base = (job.filename ?? job.id).replace(/\.[^.]*$/, '');
    const filename = `${base}.${f.file?.split('.').pop() ?? format}`;
    if (job.status === 'finished' && job.resultKey) {
      if (f.file && (await this.ctx.blobs.exists(`${job.resultKey}/${f.file}`)))
        return { mime: f.mime, body: this.ctx.blobs.stream(`${job.resultKey}/${f.file}`), partial: false, filename };
      const doc = JSON.parse((await this.ctx.blobs.get(`${job.resultKey}/${RESULT_FORMATS.json.file}`)).toString('utf8')) as OcrDocument;
      return { mime: f.mime, body: await f.render(doc, this.renderContext(job)), partial: false, filename };
    }
    if (!opts.partial)
      throw new OcrflowError(
        'OCRFLOW_ERR_RESULT_NOT_READY',
        `The job is ${job.status}; the result is ready when it is finished (add partial=true for the pages done so far)`,
        {
          status: job.status,
          done_pages: job.donePages,
        },
      );
    return { mime: f.mime, body: await f.render(await this.assemble(job), this.renderContext(job)), partial: true, filename };
  }
}
