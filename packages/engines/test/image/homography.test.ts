import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Point } from '@ocrflow/core';
import { applyHomography, composeHomography, invertHomography, solveHomography } from '../../src/image/homography.ts';

const close = (a: Point, b: Point, tol = 1e-6) => assert.ok(Math.hypot(a[0] - b[0], a[1] - b[1]) < tol, `${a} vs ${b}`);

test('a homography solved from four pairs maps each point onto its partner', () => {
  const from: Point[] = [
    [0, 0],
    [1000, 0],
    [1000, 1400],
    [0, 1400],
  ];
  const to: Point[] = [
    [231.5, 264],
    [1287, 205],
    [1347, 1694],
    [171.7, 1634.6],
  ];
  const h = solveHomography(from, to)!;
  assert.ok(h);
  for (let i = 0; i < 4; i++) close(applyHomography(h, from[i]), to[i], 1e-6);
  // A perspective: the middle of the page does not land on the average of the corners.
  const mid = applyHomography(h, [500, 700]);
  const avg: Point = [(to[0][0] + to[2][0]) / 2, (to[0][1] + to[2][1]) / 2];
  assert.ok(Math.hypot(mid[0] - avg[0], mid[1] - avg[1]) > 1, 'the solve is projective, not affine');
});

test('an affine quad gives a homography without a perspective row', () => {
  const h = solveHomography(
    [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ],
    [
      [10, 20],
      [110, 20],
      [110, 70],
      [10, 70],
    ],
  )!;
  assert.ok(Math.abs(h[6]) < 1e-12 && Math.abs(h[7]) < 1e-12);
  close(applyHomography(h, [0.5, 0.5]), [60, 45]);
});

test('the inverse undoes the mapping and composition chains mappings', () => {
  const h = solveHomography(
    [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ],
    [
      [5, 3],
      [97, 11],
      [90, 120],
      [-4, 101],
    ],
  )!;
  const inv = invertHomography(h)!;
  for (const p of [
    [0.3, 0.7],
    [0, 0],
    [1, 1],
    [2, -1],
  ] as Point[])
    close(applyHomography(inv, applyHomography(h, p)), p, 1e-9);
  const scale = [2, 0, 0, 0, 3, 0, 0, 0, 1];
  close(applyHomography(composeHomography(h, scale), [0.25, 0.1]), applyHomography(h, [0.5, 0.3]), 1e-9);
});

test('degenerate corners give no homography', () => {
  assert.equal(
    solveHomography(
      [
        [0, 0],
        [1, 0],
        [2, 0],
        [3, 0],
      ],
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ],
    ),
    null,
  );
  assert.throws(() =>
    solveHomography(
      [
        [0, 0],
        [1, 0],
        [1, 1],
      ],
      [
        [0, 0],
        [1, 0],
        [1, 1],
      ],
    ),
  );
});
