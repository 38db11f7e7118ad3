/**
 * A server-sent events parser over a fetch body (what EventSource does, without EventSource: it
 * cannot send an Authorization header). Follows the WHATWG "event stream interpretation": lines
 * end in LF, CRLF or CR; `data:` lines accumulate; a blank line dispatches; `:` starts a comment;
 * `id:` sets the last event id; `retry:` sets the reconnection delay.
 */

export interface SseMessage {
  /** The last event id at dispatch (what a reconnect sends as Last-Event-ID). */
  id: string;
  event: string;
  data: string;
}

export type SseItem = { kind: 'message'; message: SseMessage } | { kind: 'retry'; ms: number } | { kind: 'comment' };

export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseItem> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let data: string[] = [];
  let event = '';
  let lastId = '';
  let pendingCr = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      let chunk = decoder.decode(value, { stream: true });
      // A CR at the end of the previous chunk may be the first half of a CRLF.
      if (pendingCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
      pendingCr = chunk.endsWith('\r');
      buf += chunk;
      const lines = buf.split(/\r\n|\r|\n/);
      buf = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (data.length) yield { kind: 'message', message: { id: lastId, event: event || 'message', data: data.join('\n') } };
          data = [];
          event = '';
          continue;
        }
        if (line.startsWith(':')) {
          yield { kind: 'comment' };
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') data.push(value);
        else if (field === 'event') event = value;
        else if (field === 'id' && !value.includes('\0')) lastId = value;
        else if (field === 'retry' && /^\d+$/.test(value)) yield { kind: 'retry', ms: Number(value) };
      }
    }
  } finally {
    // Stop the download when the consumer stops early (break, return, throw).
    await reader.cancel().catch(() => undefined);
  }
}
