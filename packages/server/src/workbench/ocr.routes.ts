/** Start and retry OCR, the OCR service's health, and the webhook receiver (`/api/v1/ocr/*`). */
import type { FastifyPluginAsync } from 'fastify';
import { verifyWebhook, OcrflowWebhookError } from '@ocrflow/client';
import { OcrflowError } from '@ocrflow/core';
import { envelope, envelopeErrors, ok } from './envelope.ts';
import type { TaskOcrService } from './task-ocr.service.ts';
import type { TasksService } from './tasks.service.ts';
import type { Workbench } from './workbench.ts';
import { healthSchema, ocrStepSchema, taskIdParams, taskSchema } from './workbench.schemas.ts';

export interface OcrRoutesOptions {
  tasks: TasksService;
  ocr: TaskOcrService;
  /** The OCR service's health as the workbench sees it, and the shared webhook secret. */
  workbench: Pick<Workbench, 'health' | 'webhookSecret'>;
}

export const ocrRoutes: FastifyPluginAsync<OcrRoutesOptions> = async (app, { tasks, ocr, workbench: wb }) => {
  app.post(
    '/ocr/start/:id',
    {
      schema: {
        summary: 'Start OCR of a task (idempotent)',
        description:
          'The upload already starts OCR, so this answers 200 with the running job. A task that is `created`/`uploaded` is started, one in `ocr_failed` is started again (the same OCR job retried); a task past OCR is answered as it is. 404 for an unknown id.',
        tags: ['workbench'],
        params: taskIdParams,
        response: { 200: envelope(ocrStepSchema), ...envelopeErrors },
      },
    },
    async (req) => {
      const { task, message } = await ocr.ensureStarted((req.params as { id: string }).id);
      return ok({ ...(await tasks.view(task)), message }, message);
    },
  );

  app.post(
    '/ocr/retry/:id',
    {
      schema: {
        summary: 'Retry a failed task',
        description:
          'After `ocr_failed`: OCR again (the same OCR job is retried). After `excel_failed`: the workbook is generated again from the stored OCR result. 409 in other states.',
        tags: ['workbench'],
        params: taskIdParams,
        response: { 200: envelope(taskSchema), ...envelopeErrors },
      },
    },
    async (req) => {
      const t = await ocr.retry((req.params as { id: string }).id);
      return ok(await tasks.view(t), t.status === 'ocr_failed' ? `OCR could not start: ${t.errorMessage}` : 'Retrying');
    },
  );

  app.get(
    '/ocr/health',
    {
      schema: {
        summary: 'Can OCR run right now?',
        description: 'Always 200: `data.ok` is false with a plain `message` when the OCR service is starting, has no worker or cannot be reached.',
        tags: ['workbench'],
        response: { 200: envelope(healthSchema), ...envelopeErrors },
      },
    },
    async () => {
      const h = await wb.health();
      return ok(h, h.message);
    },
  );

  // The receiver needs the body exactly as sent: the signature covers the raw bytes.
  await app.register(async (hook) => {
    hook.removeContentTypeParser('application/json');
    hook.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    hook.post(
      '/ocr/webhook',
      {
        schema: {
          summary: 'Receiver of the OCR service webhooks',
          description:
            'Standard Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`) verified with the shared secret (OCRFLOW_WEBHOOK_SECRET); 401 OCRFLOW_ERR_BAD_SIGNATURE otherwise, also for timestamps more than 5 minutes off. Idempotent with the long-poll fallback: the first of the two finishes the task, the other is a no-op (`outcome: ignored`).',
          tags: ['workbench'],
          response: {
            200: envelope({
              type: 'object',
              required: ['task_id', 'outcome', 'reason'],
              properties: {
                task_id: { anyOf: [{ type: 'string' }, { type: 'null' }] },
                outcome: { type: 'string', enum: ['completed', 'failed', 'ignored'] },
                reason: { type: 'string' },
              },
            }),
            ...envelopeErrors,
          },
        },
      },
      async (req) => {
        const secret = wb.webhookSecret;
        if (!secret) throw new OcrflowError('OCRFLOW_ERR_NOT_READY', 'Starting up; retry shortly');
        let payload;
        try {
          payload = verifyWebhook(typeof req.body === 'string' ? req.body : '', req.headers, secret);
        } catch (e) {
          if (e instanceof OcrflowWebhookError) throw new OcrflowError('OCRFLOW_ERR_BAD_SIGNATURE', e.message);
          throw e;
        }
        const r = await ocr.onWebhook(payload);
        return ok({ task_id: payload.task_id ?? null, ...r }, r.reason);
      },
    );
  });
};
