/**
 * How long a connection may take and when it is closed. Fastify turns Node's request time-outs off
 * by default, so without these a client sending one byte every few seconds keeps a socket (and
 * whatever the route holds) for as long as it likes.
 *
 * - OCRFLOW_HEADERS_TIMEOUT_MS: the headers must arrive within it (Node's headersTimeout → 408).
 * - OCRFLOW_REQUEST_TIMEOUT_MS: the whole request, body included (requestTimeout → 408). This is
 *   the body-read time-out: an upload must finish within it, however it trickles.
 * - OCRFLOW_IDLE_TIMEOUT_MS: a socket silent for this long is destroyed (accepted long-polls and
 *   event streams lift it while they last: stream.limiter.ts).
 * - OCRFLOW_KEEPALIVE_TIMEOUT_MS: an idle keep-alive socket waits this long for its next request.
 *
 * Refused requests (401, 408, 413, 429), and any answer sent before the request body was read to
 * the end, go out with `Connection: close`: Node would otherwise keep reading — and holding the
 * socket for — a body nobody will use.
 */
import type { ServerOptions } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Config } from '@ocrflow/core';

export interface ServerTimeouts {
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
  http: ServerOptions;
}

const REFUSED = new Set([401, 408, 413, 429]);

export function serverTimeouts(c: Pick<Config, 'headersTimeoutMs' | 'requestTimeoutMs' | 'idleTimeoutMs' | 'keepAliveTimeoutMs'>): ServerTimeouts {
  // Node checks the header and request deadlines on a timer: check often enough that a deadline is
  // overrun by at most a quarter of itself (Node's default is every 30 s).
  const interval = Math.min(30_000, Math.max(50, Math.floor(Math.min(c.headersTimeoutMs, c.requestTimeoutMs) / 4)));
  return {
    connectionTimeout: c.idleTimeoutMs,
    keepAliveTimeout: c.keepAliveTimeoutMs,
    requestTimeout: c.requestTimeoutMs,
    http: { headersTimeout: c.headersTimeoutMs, requestTimeout: c.requestTimeoutMs, connectionsCheckingInterval: interval },
  };
}

/** `Connection: close` on refusals and on answers sent before the body was read. */
export function closeRefusedConnections(app: FastifyInstance): void {
  app.addHook('onSend', (req, reply, payload, done) => {
    if (REFUSED.has(reply.statusCode) || !req.raw.complete) reply.header('connection', 'close');
    done(null, payload);
  });
}
