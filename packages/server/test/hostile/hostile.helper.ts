/**
 * Raw-socket clients for the hostile-client suite: requests written by hand, byte by byte if need
 * be, so a test can play a client that trickles its headers or body, and observe when the server
 * answers and when it closes the connection. Every client here bounds its own life (`maxMs`): a
 * server that never closes fails the test instead of hanging it.
 */
import net from 'node:net';

export interface SocketOutcome {
  /** Everything the server sent. */
  received: string;
  /** Bytes of the request the client managed to write before the server closed or answered. */
  written: number;
  /** The server closed the connection (end or reset) before the client gave up. */
  closedByServer: boolean;
  /** HTTP status of the first answer, if any. */
  status: number | null;
}

/**
 * Write `head` (request line + headers, without the final blank line when `trickleHead`), then the
 * body in `chunk`-byte pieces every `everyMs`, until the server closes the connection or `maxMs`.
 */
export function trickle(
  url: string,
  opts: { head: string; body?: Buffer; chunk?: number; everyMs: number; maxMs: number; trickleHead?: boolean },
): Promise<SocketOutcome> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect(Number(u.port), u.hostname);
    let received = '';
    let written = 0;
    let closedByServer = false;
    let done = false;
    const payload = opts.trickleHead ? Buffer.from(opts.head) : Buffer.concat([Buffer.from(opts.head), opts.body ?? Buffer.alloc(0)]);
    let offset = 0;
    const step = opts.chunk ?? 1;
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(guard);
      sock.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(received);
      resolve({ received, written, closedByServer, status: m ? Number(m[1]) : null });
    };
    sock.on('data', (d) => (received += d.toString('latin1')));
    sock.on('end', () => ((closedByServer = true), finish()));
    sock.on('close', () => ((closedByServer = closedByServer || !done), finish()));
    sock.on('error', () => ((closedByServer = true), finish()));
    // Headers (all but a trickled head) go at once; the rest trickles.
    sock.on('connect', () => {
      if (!opts.trickleHead) {
        const first = Buffer.from(opts.head).length;
        sock.write(payload.subarray(0, first));
        written = offset = first;
      }
    });
    const timer = setInterval(() => {
      if (done || sock.destroyed || !sock.writable || offset >= payload.length) return;
      const piece = payload.subarray(offset, offset + step);
      offset += piece.length;
      sock.write(piece, (err) => {
        if (!err) written += piece.length;
      });
    }, opts.everyMs);
    const guard = setTimeout(finish, opts.maxMs);
  });
}

/** Open an SSE stream (or long-poll) and keep it open; `status()` resolves with the answer's status. */
export function openStream(url: string, headers: Record<string, string>): { status: Promise<number>; retryAfter: Promise<string | null>; close(): void } {
  const ac = new AbortController();
  const res = fetch(url, { headers, signal: ac.signal });
  const status = res.then((r) => r.status);
  const retryAfter = res.then((r) => r.headers.get('retry-after'));
  // A refused answer is read to the end; an accepted stream is left open until close().
  void res
    .then(async (r) => {
      if (r.status !== 200) await r.text();
    })
    .catch(() => {});
  status.catch(() => {});
  retryAfter.catch(() => {});
  return { status, retryAfter, close: () => ac.abort() };
}
