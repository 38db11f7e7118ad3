/**
 * A thread that owns one InferSession and runs it on request (see infer.lane.ts). Inputs arrive
 * and outputs leave as transferred buffers, so nothing is copied between the threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InferSession, type SessionOptions } from './infer.session.ts';
import type { LaneReply, LaneRequest } from './infer.lane.ts';

if (!parentPort) throw new Error('infer.worker.ts must run in a worker thread');
const port = parentPort;
const { modelPath, options } = workerData as { modelPath: string; options: SessionOptions };

try {
  const session = await InferSession.create(modelPath, options);
  port.on('message', (m: LaneRequest) => {
    if (m.type === 'release') {
      void session.release().finally(() => port.close());
      return;
    }
    session.run(m.input, m.dims).then(
      (out) => {
        // The output may view a larger native buffer: send exactly its values.
        const data = out.data.byteOffset === 0 && out.data.byteLength === out.data.buffer.byteLength ? out.data : out.data.slice();
        port.postMessage({ type: 'out', id: m.id, data, dims: [...out.dims] } satisfies LaneReply, [data.buffer as ArrayBuffer]);
      },
      (e: unknown) => port.postMessage({ type: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) } satisfies LaneReply),
    );
  });
  port.postMessage({ type: 'ready' } satisfies LaneReply);
} catch (e) {
  port.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) } satisfies LaneReply);
}
