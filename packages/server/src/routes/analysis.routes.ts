/** `GET /v1/jobs/{id}/analysis`: the key facts of a finished job. */
import type { FastifyPluginAsync } from 'fastify';
import { analysisJsonSchema } from '@ocrflow/analysis';
import { callerOf } from '../http/caller.ts';
import type { AnalysisService } from '../services/analysis.service.ts';
import { errorResponses, jobIdParams } from './jobs.schemas.ts';

// The stored document is already valid against the schema; the route repeats it for the OpenAPI
// document (without `$id`, which fastify would register as a shared schema).
const { $id: _id, ...analysisResponse } = analysisJsonSchema;

export interface AnalysisRoutesOptions {
  analysis: AnalysisService | undefined;
}

export const analysisRoutes: FastifyPluginAsync<AnalysisRoutesOptions> = async (app, { analysis }) => {
  app.get(
    '/jobs/:id/analysis',
    {
      schema: {
        summary: 'The analysis of a finished job',
        description:
          'Document kind, key fields (company, date, address, total, tax, numbers, phone, e-mail) with the text and box they came from, and table checks (`ocrflow.analysis/1`). 409 OCRFLOW_ERR_RESULT_NOT_READY until the job is finished; 404 when the job has no analysis (OCRFLOW_ANALYSIS=0).',
        tags: ['jobs'],
        params: jobIdParams,
        response: { 200: analysisResponse, ...errorResponses },
      },
    },
    async (req) => {
      if (!analysis) throw new Error('analysis service missing');
      return analysis.read(callerOf(req), (req.params as { id: string }).id);
    },
  );
};
