/**
 * Caps on requests that stay open by design — long-polls and server-sent event streams — per
 * process (OCRFLOW_MAX_STREAMS) and per client (OCRFLOW_MAX_STREAMS_PER_CLIENT). Each such request
 * holds a socket, a store subscription and timers for minutes, so an unbounded number of them is a
 * cheap way to exhaust the process. Past a cap the request gets 429 OCRFLOW_ERR_TOO_MANY_STREAMS
 * with Retry-After (and its connection is closed, see connection.policy.ts).
 *
 * A "client" is who presented the credential: the Bearer token, else the workbench session cookie,
 * else (no token configured) the address. Credentials are kept only as SHA-256 digests.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OcrflowError } from '@ocrflow/core';
import { bearerToken } from './auth.hook.ts';

export interface StreamLimits {
  max: number;
  perClient: number;
  /** The idle time-out restored on the socket once the stream ends (0 = none). */
  idleTimeoutMs: number;
}

/** Seconds a refused client is told to wait: streams end when their job does, which is not predictable. */
const RETRY_AFTER_S = 5;
const SESSION_COOKIE = /(?:^|;\s*)ocrflow_session=([^;]+)/;

export function clientKey(req: FastifyRequest): string {
  const token = bearerToken(req.headers.authorization);
  if (token !== null) return `t:${digest(token)}`;
  const session = SESSION_COOKIE.exec(req.headers.cookie ?? '')?.[1];
  if (session) return `s:${digest(session)}`;
  return `a:${req.ip}`;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64url').slice(0, 22);

export class StreamLimiter {
  private total = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    private readonly limits: StreamLimits,
    private readonly onRefused: (scope: 'global' | 'client') => void = () => {},
  ) {}

  /** Streams open now (all clients). */
  get open(): number {
    return this.total;
  }

  /**
   * Take a slot for this request until its response closes (ended, or the client went away).
   * Throws OCRFLOW_ERR_TOO_MANY_STREAMS past a cap; call it before any waiting starts.
   */
  hold(req: FastifyRequest, reply: FastifyReply): void {
    const key = clientKey(req);
    const mine = this.byClient.get(key) ?? 0;
    if (this.total >= this.limits.max) this.refuse('global', `This server has ${this.total} long-polls and event streams open, its limit; retry later`);
    if (mine >= this.limits.perClient)
      this.refuse('client', `You have ${mine} long-polls and event streams open, the limit per client; close one or retry later`);
    this.total++;
    this.byClient.set(key, mine + 1);
    // Requests injected in-process (light-my-request) have a stand-in socket without time-outs.
    const socket = typeof req.raw.socket?.setTimeout === 'function' ? req.raw.socket : null;
    // A held stream is idle on purpose: its own bound (timeout_ms, heartbeats) replaces the
    // connection's idle time-out while it lasts.
    socket?.setTimeout(0);
    let released = false;
    reply.raw.once('close', () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byClient.get(key) ?? 1) - 1;
      if (left > 0) this.byClient.set(key, left);
      else this.byClient.delete(key);
      if (socket && !socket.destroyed && this.limits.idleTimeoutMs > 0) socket.setTimeout(this.limits.idleTimeoutMs);
    });
  }

  private refuse(scope: 'global' | 'client', message: string): never {
    this.onRefused(scope);
    throw new OcrflowError('OCRFLOW_ERR_TOO_MANY_STREAMS', message, { retry_after_s: RETRY_AFTER_S, scope });
  }
}
