/**
 * PaddleOCR (PP-StructureV3 / PaddleOCR-VL) job-service compatibility: the result JSON, events in
 * that service's shape and the images zip. Routes in `routes/compat.paddle.routes.ts`; submissions
 * and long-polls reuse the native services.
 */
import { documentToPpStructure, OcrflowError, type Caller, type OcrDocument, type PpStructureResultOut } from '@ocrflow/core';
import { openPageImages } from './page.images.ts';
import type { JobRecord } from '../ports/job.types.ts';
import { buildImagesZip } from './compat.images.ts';
import type { EventView } from './job.view.ts';
import type { JobsService } from './jobs.service.ts';
import { RESULT_FORMATS } from './result.formats.ts';
import type { ResultsService } from './results.service.ts';
import type { ServiceContext } from './service.context.ts';

export const IMAGES_ZIP = 'images.zip';

/**
 * Events as the PaddleOCR service's clients read them: `type` is the native one (`finished` is the
 * terminal success; `failed`, `canceled` the others), and a failed or canceled event also carries
 * `error_message` as a string, the way that service's `final` does.
 */
export function toPaddleEvent(e: EventView): EventView {
  if (e.type !== 'failed' && e.type !== 'canceled') return e;
  const err = e.error as { message?: unknown } | null | undefined;
  return { ...e, error_message: typeof err?.message === 'string' ? err.message : e.type === 'canceled' ? 'The job was canceled' : 'The job failed' };
}

export class PaddleCompatService {
  /** Zips being built, by blob key: concurrent first requests share one build (it renders every page). */
  private readonly building = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly jobs: JobsService,
    private readonly results: ResultsService,
    private readonly onBuilt: (artifact: string) => void = () => {},
  ) {}

  private async document(job: JobRecord): Promise<OcrDocument> {
    if (job.status === 'finished' && job.resultKey)
      return JSON.parse((await this.ctx.blobs.get(`${job.resultKey}/${RESULT_FORMATS.json.file}`)).toString('utf8')) as OcrDocument;
    return this.results.assemble(job);
  }

  /** Answers in every state: `final.status` says where the job is, `pages` holds the pages done so far. */
  async resultJson(caller: Caller, id: string): Promise<PpStructureResultOut> {
    const job = await this.jobs.requireFor(caller, id);
    const doc = await this.document(job);
    const end = job.finishedAt ?? this.ctx.now();
    return documentToPpStructure(doc, {
      jobId: job.id,
      status: job.status,
      errorMessage: job.error?.message ?? '',
      totalPages: job.pageCount,
      donePages: job.donePages,
      elapsedSeconds: Math.max(0, end - job.createdAt) / 1000,
      inputPath: this.ctx.blobs.localPath(job.sourceKey),
    });
  }

  async imagesZip(caller: Caller, id: string): Promise<{ zip: Buffer; filename: string }> {
    const job = await this.jobs.requireFor(caller, id);
    if (job.status !== 'finished' || !job.resultKey)
      throw new OcrflowError('OCRFLOW_ERR_RESULT_NOT_READY', `The job is ${job.status}; page images are ready when it is finished`, { status: job.status });
    const filename = `${(job.filename ?? job.id).replace(/\.[^.]*$/, '')}_images.zip`;
    const key = `${job.resultKey}/${IMAGES_ZIP}`;
    if (await this.ctx.blobs.exists(key)) return { zip: await this.ctx.blobs.get(key), filename };
    let build = this.building.get(key);
    if (!build) {
      build = this.buildZip(job, key).finally(() => this.building.delete(key));
      this.building.set(key, build);
    }
    return { zip: await build, filename };
  }

  private async buildZip(job: JobRecord, key: string): Promise<Buffer> {
    const doc = await this.document(job);
    const pages = await openPageImages(await this.ctx.blobs.get(job.sourceKey), { maxPixels: this.ctx.config.maxPixels, maxPages: this.ctx.config.maxPages });
    try {
      const { zip } = await buildImagesZip(doc, pages);
      await this.ctx.blobs.put(key, zip);
      this.onBuilt(IMAGES_ZIP);
      return zip;
    } finally {
      pages.close();
    }
  }
}
