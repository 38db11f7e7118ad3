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

export function buildWebhookBody(d: Pick<DeliveryRecord, 'eventType' | 'eventSeq' | 'eventTime'>, job: JobRecord, event: JobEvent | null, extra: { baseUrl: string; resultDir: string | null; analysis: AnalysisSummary | null }): WebhookBody {
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

/** Reads what the body needs (job, stored event, analysis file) and renders it. Null when the job is gone. */
export async function renderWebhookBody(ctx: ServiceContext, d: DeliveryRecord): Promise<string | null> {
  const job = await ctx.store.getJob(d.jobId);
  if (!job) return null;
  const [event] = await ctx.store.listEvents(d.jobId, d.eventSeq - 1, 1);
  const resultKey = job.resultKey ?? resultKeyOf(job.id);
  let analysis: AnalysisSummary | null = null;
  if (d.eventType === 'finished') {
    const key = `${resultKey}/${ANALYSIS_RESULT_FILE}`;
    try {
      if (await ctx.blobs.exists(key)) analysis = analysisSummary(JSON.parse((await ctx.blobs.get(key)).toString('utf8')) as Analysis);
    } catch (e) {
      // A damaged analysis file must not hold back the notification that OCR finished.
      ctx.log.warn({ err: e, job: job.id }, 'analysis.json unreadable; webhook sent without the analysis summary');
    }
  }
  const body = buildWebhookBody(d, job, event && event.seq === d.eventSeq ? event : null, {
    baseUrl: ctx.baseUrl(),
    resultDir: d.eventType === 'finished' ? ctx.blobs.localPath(resultKey) : null,
    analysis,
  });
  return JSON.stringify(body);
}
