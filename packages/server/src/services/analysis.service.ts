/**
 * The analysis step of the job service: after OCR, when OCRFLOW_ANALYSIS is on, the
 * document is analysed (built-in rules, or the configured LLM with fallback) and `analysis.json`
 * is stored beside the result. `GET /v1/jobs/{id}/analysis` reads it back, and the webhook body
 * carries `analysisSummary` of it.
 *
 * The step is not critical: an analysis that throws is logged and the job still finishes with its
 * OCR result (the route then answers 404 for that job's analysis).
 */
import { OcrflowError, type Caller } from '@ocrflow/core';
import { analyse, analysisSummary, type Analysis, type AnalysisSummary } from '@ocrflow/analysis';
import type { JobRecord } from '../ports/job.types.ts';
import type { PostJobStep } from '../workers/post-job.steps.ts';
import type { JobsService } from './jobs.service.ts';
import type { ServiceContext } from './service.context.ts';

export const ANALYSIS_FILE = 'analysis.json';

export class AnalysisService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly jobs: JobsService,
  ) {}

  /** The post-job step the runner registers when `config.analysis` is on. */
  step(): PostJobStep {
    return {
      name: 'analysis',
      run: async ({ job, document, resultKey, ctx, signal }) => {
        const logger = ctx.log.child({ job: job.id, step: 'analysis' });
        const a = await analyse(document, ctx.config, { logger, signal });
        await ctx.blobs.put(`${resultKey}/${ANALYSIS_FILE}`, JSON.stringify(a, null, 2));
        logger.debug({ analyser: a.analyser, kind: a.kind, ms: a.timings_ms.total, fallback_reason: a.fallback_reason }, 'analysis stored');
      },
    };
  }

  /** The stored analysis of a job, or null when it has none (analysis off, or the step failed). */
  async load(job: JobRecord): Promise<Analysis | null> {
    if (job.status !== 'finished' || !job.resultKey) return null;
    const key = `${job.resultKey}/${ANALYSIS_FILE}`;
    if (!(await this.ctx.blobs.exists(key))) return null;
    return JSON.parse((await this.ctx.blobs.get(key)).toString('utf8')) as Analysis;
  }

  /** For the route: 404 unknown job, 409 not finished yet, 404 finished without an analysis. */
  async read(caller: Caller, jobId: string): Promise<Analysis> {
    const job = await this.jobs.requireFor(caller, jobId);
    if (job.status !== 'finished')
      throw new OcrflowError('OCRFLOW_ERR_RESULT_NOT_READY', `The job is ${job.status}; the analysis is ready when it is finished`, { status: job.status });
    const a = await this.load(job);
    if (!a)
      throw new OcrflowError(
        'OCRFLOW_ERR_NOT_FOUND',
        this.ctx.config.analysis
          ? 'This job has no analysis (the analysis step did not complete; see the job metrics)'
          : 'Analysis is disabled (OCRFLOW_ANALYSIS=0)',
      );
    return a;
  }

  /** What a webhook body carries as `analysis` (null when the job has none). */
  async summaryFor(job: JobRecord): Promise<AnalysisSummary | null> {
    const a = await this.load(job);
    return a ? analysisSummary(a) : null;
  }
}
