import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convexHull, minAreaRect, rectToQuad, unclipRect, dbPostprocess, DEFAULT_DB_OPTIONS } from '../src/paddle/detect/db.postprocess.ts';
import { detInputSize } from '../src/paddle/detect/det.model.ts';
import type { Point } from '@ocrflow/core';

const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test('convex hull drops interior points', () => {
  const hull = convexHull([
    [0, 0],
    [4, 0],
    [4, 2],
    [0, 2],
    [2, 1],
    [1, 1],
  ]);
  assert.equal(hull.length, 4);
  assert.deepEqual(new Set(hull.map((p) => p.join(','))), new Set(['0,0', '4,0', '4,2', '0,2']));
});

test('minimum-area rectangle of an axis-aligned and a 30° rotated rectangle', () => {
  const r = minAreaRect(
    convexHull([
      [10, 20],
      [50, 20],
      [50, 30],
      [10, 30],
    ]),
  );
  close(r.w * r.h, 400);
  close(r.cx, 30);
  close(r.cy, 25);
  const a = Math.PI / 6;
  const rot = (x: number, y: number): Point => [100 + x * Math.cos(a) - y * Math.sin(a), 100 + x * Math.sin(a) + y * Math.cos(a)];
  const rr = minAreaRect(convexHull([rot(-20, -5), rot(20, -5), rot(20, 5), rot(-20, 5)]));
  close(Math.max(rr.w, rr.h), 40, 1e-6);
  close(Math.min(rr.w, rr.h), 10, 1e-6);
  const q = rectToQuad(rr);
  // The long side runs left to right and the quad starts top-left.
  assert.ok(q[1][0] > q[0][0] && q[2][1] > q[1][1]);
  close(Math.hypot(q[1][0] - q[0][0], q[1][1] - q[0][1]), 40, 1e-6);
});

test('unclip grows both sides by 2 × area × ratio / perimeter', () => {
  const r = unclipRect({ cx: 0, cy: 0, w: 100, h: 10, angle: 0 }, 1.5);
  const d = (100 * 10 * 1.5) / 220;
  close(r.w, 100 + 2 * d);
  close(r.h, 10 + 2 * d);
});

test('DB post-processing finds two lines, scores them and drops weak noise', () => {
  const mw = 120,
    mh = 40;
  const prob = new Float32Array(mw * mh);
  const fill = (x0: number, y0: number, x1: number, y1: number, v: number) => {
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) prob[y * mw + x] = v;
  };
  fill(10, 5, 99, 10, 0.9); // a text kernel 90×6
  fill(20, 25, 59, 30, 0.8); // a second line
  fill(105, 30, 112, 36, 0.4); // weak blob: above thresh, below box thresh
  const boxes = dbPostprocess(prob, mw, mh, DEFAULT_DB_OPTIONS).sort((a, b) => a.quad[0][1] - b.quad[0][1]);
  assert.equal(boxes.length, 2);
  close(boxes[0].score, 0.9, 1e-6);
  close(boxes[1].score, 0.8, 1e-6);
  // Kernel 89×5 (pixel centres) unclipped by d = 89·5·1.5/188 on each side.
  const d = (89 * 5 * 1.5) / 188;
  const q = boxes[0].quad;
  close(q[0][0], 10 - d, 1e-6);
  close(q[0][1], 5 - d, 1e-6);
  close(q[2][0], 99 + d, 1e-6);
  close(q[2][1], 10 + d, 1e-6);
});

test('detector input is limited by area, keeps aspect and multiples of 32', () => {
  // A long receipt keeps its resolution (a 960 px side limit would shrink its text).
  assert.deepEqual(detInputSize(463, 1013, { maxPixels: 1_500_000, minPixels: 300_000, maxSide: 4000 }), { w: 448, h: 1024 });
  // An A4 scan at 300 dpi is brought down to about 1.5 MP.
  const a4 = detInputSize(2481, 3508, { maxPixels: 1_500_000, minPixels: 300_000, maxSide: 4000 });
  assert.equal(a4.w % 32, 0);
  assert.equal(a4.h % 32, 0);
  assert.ok(a4.w * a4.h < 1_600_000 && a4.w * a4.h > 1_400_000, `${a4.w}x${a4.h}`);
  // A tiny crop is upscaled, at most 2×.
  assert.deepEqual(detInputSize(200, 100, { maxPixels: 1_500_000, minPixels: 300_000, maxSide: 4000 }), { w: 416, h: 192 });
});
