/**
 * The JSON body of a webhook: one shape for every target (native clients and DeepSeek-OCR-Web
 * style ones, which read `task_id` and `result_dir`). Built once, at a delivery's first attempt,
 * from the job, the event as stored (its seq, time, page counts and error) and — for a finished
 * job with an analysis — the analysis summary. The built text is stored with the
 * delivery, so every retry sends the same bytes.
 */
import { analysisSummary, type Analysis, type AnalysisSummary } from '@ocrflow/analysis';
import type { DeliveryRecord, WebhookEvent } from '../ports/delivery-store.port.ts';
import type { JobEvent, JobRecord } from '../ports/job.types.ts';
import { resultKeyOf } from './results.service.ts';
import type { ServiceContext } from './service.context.ts';

/** Written by the analysis step next to the result (see services/analysis.service.ts). */
export const ANALYSIS_RESULT_FILE = 'analysis.json';

export interface WebhookBody {
  type: `job.${WebhookEvent}`;
  job_id: string;
  task_id: string | null;
  status: string;
  result_url: string | null;
  /** Absolute path of the result directory on the server (DeepSeek-OCR-Web clients read files from it). */
  result_dir: string | null;
  error: { code: string; message: string } | null;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  total_pages: number;
  done_pages: number;
  event_seq: number;
  /** Progress events: the page just finished (1-based). */
  page?: number;
  /** Finished jobs with an analysis: its summary (kind, key fields, table checks). */
  analysis?: AnalysisSummary;
}

const STATUS_OF: Record<WebhookEvent, string> = { finished: 'finished', failed: 'failed', canceled: 'canceled', progress: 'running' };

const int = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

export function buildWebhookBody(
  d: Pick<DeliveryRecord, 'eventType' | 'eventSeq' | 'eventTime'>,
  job: JobRecord,
  event: JobEvent | null,
  extra: { baseUrl: string; resultDir: string | null; analysis: AnalysisSummary | null },
): WebhookBody {
  const data = event?.data ?? {};
  const rawErr = (data.error ?? (d.eventType === 'failed' || d.eventType === 'canceled' ? job.error : null)) as { code?: unknown; message?: unknown } | null;
  const error = rawErr && typeof rawErr === 'object' ? { code: String(rawErr.code ?? 'OCRFLOW_ERR_INTERNAL'), message: String(rawErr.message ?? '') } : null;
  const finished = d.eventType === 'finished';
  return {
    type: `job.${d.eventType}`,
    job_id: job.id,
    task_id: job.taskId,
    status: STATUS_OF[d.eventType],
    result_url: finished ? `${extra.baseUrl}/v1/jobs/${job.id}/result` : null,
    result_dir: finished ? extra.resultDir : null,
    error: d.eventType === 'canceled' && !error ? { code: 'OCRFLOW_ERR_CANCELED', message: 'The job was canceled' } : error,
    timestamp: new Date(d.eventTime).toISOString(),
    total_pages: int(data.total_pages, job.pageCount),
    done_pages: int(data.done_pages, job.donePages),
    event_seq: d.eventSeq,
    ...(d.eventType === 'progress' && typeof data.page === 'number' ? { page: data.page } : {}),
    ...(finished && extra.analysis ? { analysis: extra.analysis } : {}),
  };
}

/**
 * Reads what the bodies of a group of deliveries need (their jobs and stored events in one query
 * each, analysis files) and renders them: the body of each delivery, or null when its job is gone.
 * A group of deliveries claimed together is rendered together, so the store is not asked once per
 * delivery while their attempts wait.
 */
export async function renderWebhookBodies(ctx: ServiceContext, ds: readonly DeliveryRecord[]): Promise<(string | null)[]> {
  if (!ds.length) return [];
  const jobs = new Map((await ctx.store.getJobs(ds.map((d) => d.jobId))).map((j) => [j.id, j]));
  const events = new Map((await ctx.store.getEventsAt(ds.map((d) => ({ jobId: d.jobId, seq: d.eventSeq })))).map((e) => [`${e.jobId}:${e.seq}`, e]));
  return Promise.all(
    ds.map(async (d) => {
      const job = jobs.get(d.jobId);
      if (!job) return null;
      const resultKey = job.resultKey ?? resultKeyOf(job.id);
      const analysis = d.eventType === 'finished' ? await readAnalysisSummary(ctx, job.id, resultKey) : null;
      const body = buildWebhookBody(d, job, events.get(`${d.jobId}:${d.eventSeq}`) ?? null, {
        baseUrl: ctx.baseUrl(),
        resultDir: d.eventType === 'finished' ? ctx.blobs.localPath(resultKey) : null,
        analysis,
      });
      return JSON.stringify(body);
    }),
  );
}

async function readAnalysisSummary(ctx: ServiceContext, jobId: string, resultKey: string): Promise<AnalysisSummary | null> {
  const key = `${resultKey}/${ANALYSIS_RESULT_FILE}`;
  try {
    if (await ctx.blobs.exists(key)) return analysisSummary(JSON.parse((await ctx.blobs.get(key)).toString('utf8')) as Analysis);
  } catch (e) {
    // A damaged analysis file must not hold back the notification that OCR finished.
    ctx.log.warn({ err: e, job: jobId }, 'analysis.json unreadable; webhook sent without the analysis summary');
  }
  return null;
}
