/**
 * Recognition lanes (src/paddle/infer.lane.ts): a second recogniser on its own thread gives the
 * same probabilities as one in this thread, two lanes read a real page to the same text as one,
 * and a lane whose thread is gone is skipped — the page is still read.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InferLane } from '../../src/paddle/infer.lane.ts';
import { InferSession } from '../../src/paddle/infer.session.ts';
import { PaddleEngine, defaultModelDir, MODELS } from '../../src/paddle/paddle.engine.ts';
import { openDocument } from '../../src/index.ts';

const recPath = path.join(defaultModelDir(), MODELS.rec);
const receipt = readFileSync(new URL('../fixtures/receipt-header.jpg', import.meta.url));
const toRelease: { release(): Promise<void> }[] = [];
after(async () => {
  for (const r of toRelease) await r.release();
});

test('a lane on its own thread returns what the same session returns here', async () => {
  const here = await InferSession.create(recPath, { intraOpNumThreads: 1 });
  const lane = await InferLane.create(recPath, { intraOpNumThreads: 1 });
  toRelease.push(here, lane);
  const dims = [1, 3, 48, 320];
  const x = Float32Array.from({ length: 3 * 48 * 320 }, (_, i) => Math.sin(i * 0.37) * 0.8);
  const a = await here.run(x.slice(), dims);
  const b = await lane.run(x.slice(), dims); // the lane takes its input (transferred)
  assert.deepEqual(b.dims, a.dims);
  assert.equal(b.data.length, a.data.length);
  let d = 0;
  for (let i = 0; i < a.data.length; i++) d = Math.max(d, Math.abs(a.data[i] - b.data[i]));
  assert.ok(d < 1e-5, `max |Δ| ${d}`);
  // Many runs in flight at once come back each to its own caller.
  const inputs = [0.1, 0.5, 0.9].map((k) => Float32Array.from({ length: 3 * 48 * 320 }, (_, i) => Math.cos(i * k) * 0.5));
  const direct = await Promise.all(inputs.map((x) => here.run(x.slice(), dims)));
  const viaLane = await Promise.all(inputs.map((x) => lane.run(x.slice(), dims)));
  viaLane.forEach((o, i) => assert.ok(Math.abs(o.data[123] - direct[i].data[123]) < 1e-5, `run ${i}`));
});

test('two lanes read a receipt to the same lines as one; a lane that is gone is skipped', async () => {
  const doc = await openDocument(receipt);
  const { image } = await doc.renderPage(0);
  doc.close();
  const one = await PaddleEngine.create({ intraOpNumThreads: 2, recLanes: 1 });
  const two = await PaddleEngine.create({ intraOpNumThreads: 2, recLanes: 2 });
  toRelease.push({ release: () => one.dispose() });
  // Lanes join when they have loaded; wait for them so the second engine surely reads with two.
  await two.ready();
  const a = await one.recognize(image, { languages: ['en'], mode: 'text' });
  const b = await two.recognize(image, { languages: ['en'], mode: 'text' });
  assert.ok(a.lines.length >= 4, `${a.lines.length} lines`);
  assert.deepEqual(
    b.lines.map((l) => l.text),
    a.lines.map((l) => l.text),
  );
  // The lane's thread ends (as after a crash): the next page is read by the remaining lane.
  const [lane] = (two as unknown as { recLanes: InferLane[] }).recLanes;
  assert.ok(lane?.alive, 'the engine has a second lane');
  await lane.release();
  assert.equal(lane.alive, false);
  await assert.rejects(lane.run(new Float32Array(3 * 48 * 64), [1, 3, 48, 64]), /lane/);
  const c = await two.recognize(image, { languages: ['en'], mode: 'text' });
  assert.deepEqual(
    c.lines.map((l) => l.text),
    a.lines.map((l) => l.text),
  );
  await two.dispose();
});
