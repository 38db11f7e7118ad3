/**
 * The caller of a request (its tenant, whether it is an admin), set by the authentication hooks —
 * the service API's Bearer hook and the workbench's gate — and passed explicitly by the routes to
 * the services, which pass the tenant to the stores.
 */
import type { FastifyRequest } from 'fastify';
import { OcrflowError, type Caller } from '@ocrflow/core';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook of the route's scope. */
    caller?: Caller;
  }
}

/**
 * The request's caller. A route outside every authentication hook has none: refused rather than
 * treated as anyone, so a route added without a gate cannot show every tenant's work.
 */
export function callerOf(req: FastifyRequest): Caller {
  if (!req.caller) throw new OcrflowError('OCRFLOW_ERR_UNAUTHORIZED', 'This route does not know who is calling');
  return req.caller;
}
