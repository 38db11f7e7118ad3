// The client side of scripts/bench.service.ts, in a process of its own so that its CPU and memory
// are not the measured server's. It obeys messages on the IPC channel and answers each with one:
//   { op: 'load', url, method, headers, body (base64), concurrency, durationMs }
//       → { ok, statuses, per_s, p50_ms, p99_ms }     closed-loop clients, keep-alive connections
//   { op: 'watch', base, ids, headers, sse }
//       → { parked } once every request is sent, later { arrivals: { id: clock ms } } when each
//         long-poll (or SSE stream) has returned the job's next event after seq 1
// Clock values are performance.timeOrigin + performance.now(), comparable across processes.
const clock = () => performance.timeOrigin + performance.now();

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function load({ url, method, headers, body, concurrency, durationMs }) {
  const bytes = body ? Buffer.from(body, 'base64') : undefined;
  const statuses = {};
  const lat = [];
  const end = performance.now() + durationMs;
  let ok = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        const r = await fetch(url, { method, headers, body: bytes });
        await r.arrayBuffer();
        lat.push(performance.now() - s);
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status < 300) ok++;
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  return { ok, statuses, per_s: Math.round(ok / wall), p50_ms: pct(lat, 50), p99_ms: pct(lat, 99) };
}

async function watchOne(base, id, headers, sse) {
  if (!sse) {
    const r = await fetch(`${base}/v1/jobs/${id}/events?since_seq=1&timeout_ms=60000`, { headers });
    const at = clock();
    const j = await r.json();
    if (r.status !== 200 || !j.events?.length) throw new Error(`long-poll ${id}: ${r.status} ${JSON.stringify(j).slice(0, 200)}`);
    return at;
  }
  const r = await fetch(`${base}/v1/jobs/${id}/events?since_seq=1`, { headers: { ...headers, accept: 'text/event-stream' } });
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`SSE ${id}: ${r.status}, ended before an event: ${text.slice(0, 200)}`);
    text += dec.decode(value, { stream: true });
    if (/\nevent: \w+/.test(`\n${text}`) && text.includes('\n\n')) {
      const at = clock();
      await reader.cancel();
      return at;
    }
  }
}

/** Connections are opened 250 at a time, 50 ms apart (the server's accept backlog is finite); a refused connect is retried. */
async function watch({ base, ids, headers, sse }) {
  const arrivals = {};
  let retries = 0;
  const one = async (id) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await watchOne(base, id, headers, sse);
      } catch (e) {
        if (attempt >= 5 || e?.message !== 'fetch failed') throw new Error(`${e?.message}: ${e?.cause?.code ?? e?.cause ?? ''}`);
        retries++;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  const waits = [];
  for (let i = 0; i < ids.length; i += 250) {
    for (const id of ids.slice(i, i + 250)) waits.push(one(id).then((at) => (arrivals[id] = at)));
    if (i + 250 < ids.length) await new Promise((r) => setTimeout(r, 50));
  }
  const all = Promise.all(waits);
  process.send({ parked: ids.length });
  await all;
  return { arrivals, retries };
}

process.on('message', async (m) => {
  try {
    if (m.op === 'load') process.send(await load(m));
    else if (m.op === 'watch') process.send(await watch(m));
    else if (m.op === 'exit') process.exit(0);
  } catch (e) {
    process.send({ error: String(e?.stack ?? e) });
  }
});
