/**
 * The load-time graph rewrite (src/paddle/onnx/onnx.fuse.ts) on the real PP-OCR models: it must
 * remove the element-wise passes it promises and change no output beyond float rounding, on real
 * inputs (a line crop of a receipt, a whole receipt page), and leave a model it has nothing to do
 * for byte-identical.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { fuseModel } from '../../src/paddle/onnx/onnx.fuse.ts';
import { InferSession } from '../../src/paddle/infer.session.ts';
import { defaultModelDir, MODELS } from '../../src/paddle/paddle.engine.ts';

const model = (name: string) => path.join(defaultModelDir(), name);
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

/** NCHW float tensor of an RGB image, normalised as the PP-OCR models expect ((x/255-0.5)/0.5). */
async function tensorOf(img: Buffer, width: number, height: number): Promise<Float32Array> {
  const { data } = await sharp(img).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const out = new Float32Array(3 * width * height);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) out[c * width * height + i] = (data[i * 3 + c] / 255 - 0.5) / 0.5;
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('the recogniser and the detector lose their affine and hard-swish passes', () => {
  for (const name of [MODELS.rec, MODELS.det]) {
    const { stats } = fuseModel(readFileSync(model(name)));
    assert.ok(stats.hardSwish > 10, `${name}: hard-swish fused ${stats.hardSwish}`);
    assert.ok(stats.convAffine > 10, `${name}: affine blocks folded ${stats.convAffine}`);
    assert.ok(stats.nodesAfter < stats.nodesBefore * 0.75, `${name}: ${stats.nodesBefore} → ${stats.nodesAfter} nodes`);
  }
});

test('a model with nothing to fuse comes back byte for byte', () => {
  const bytes = new Uint8Array(readFileSync(model(MODELS.cls)));
  const r = fuseModel(bytes);
  if (r.stats.hardSwish + r.stats.convAffine + r.stats.preConvScale + r.stats.preConvBias === 0) assert.equal(r.model, bytes);
  else assert.notEqual(r.model, bytes, 'something was fused, so the bytes are new');
  // Not a model at all: returned unchanged, no throw.
  const junk = new Uint8Array([0x08, 0x07, 0x12, 0x00]);
  assert.equal(fuseModel(junk).model, junk);
});

test('fused and original sessions give the same probabilities on a real line crop and the same map on a real page', async () => {
  const img = fixture('receipt-header.jpg');
  const cases = [
    { name: MODELS.rec, dims: [1, 3, 48, 320], input: await tensorOf(img, 320, 48), tol: 1e-3 },
    { name: MODELS.det, dims: [1, 3, 160, 480], input: await tensorOf(img, 480, 160), tol: 1e-3 },
  ];
  for (const c of cases) {
    const plain = await InferSession.create(model(c.name), { fuse: false, intraOpNumThreads: 1 });
    const fused = await InferSession.create(model(c.name), { fuse: true, intraOpNumThreads: 1 });
    assert.equal(plain.fused, null);
    assert.ok(fused.fused && fused.fused.nodesAfter < fused.fused.nodesBefore);
    const a = await plain.run(c.input, c.dims);
    const b = await fused.run(c.input, c.dims);
    assert.deepEqual(a.dims, b.dims);
    const d = maxAbsDiff(a.data, b.data);
    assert.ok(d < c.tol, `${c.name}: max |Δ| ${d}`);
    // The outputs are not trivially equal because both are empty or constant.
    let lo = Infinity,
      hi = -Infinity;
    for (const v of a.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const spread = hi - lo;
    assert.ok(spread > 0.5, `${c.name}: output spread ${spread}`);
    await plain.release();
    await fused.release();
  }
});
