/**
 * The webhook receiver of bench.webhooks in a process of its own, as a real receiver would be:
 * in the bench's process it would take event-loop time from the dispatcher it measures. The
 * parent talks to it over IPC: `open` (the `/gate` path starts answering), `count` and `dump`
 * (arrival time and job id of every request to a path), `close`.
 *   /slow  answers 200 after `--delay-ms`
 *   /gate  hangs until `open`, then answers like /slow
 */
import { Receiver } from '../packages/server/test/helpers/receiver.helper.ts';

const i = process.argv.indexOf('--delay-ms');
const delayMs = i >= 0 ? Number(process.argv[i + 1]) : 100;
let open = false;
const rx = await Receiver.start();
rx.on('/slow', () => ({ status: 200, delayMs }));
rx.on('/gate', () => (open ? { status: 200, delayMs } : 'hang'));

type Ask = { id: number; op: 'open' | 'count' | 'dump' | 'close'; path?: string };
process.on('message', async (m: Ask) => {
  let value: unknown = null;
  if (m.op === 'open') open = true;
  else if (m.op === 'count') value = rx.at(m.path ?? '/').length;
  else if (m.op === 'dump') value = rx.at(m.path ?? '/').map((r) => ({ at: r.at, jobId: (JSON.parse(r.body) as { job_id: string }).job_id }));
  else if (m.op === 'close') await rx.close();
  process.send?.({ id: m.id, value });
  if (m.op === 'close') process.exit(0);
});
process.send?.({ id: 0, value: rx.url });
