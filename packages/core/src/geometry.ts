/** Small, pure geometry helpers on the model's boxes. */
import type { BBox, Point } from './model.ts';

export function bboxWidth(b: BBox): number {
  return b[2] - b[0];
}

export function bboxHeight(b: BBox): number {
  return b[3] - b[1];
}

export function bboxArea(b: BBox): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

export function bboxCenter(b: BBox): Point {
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
}

/** Smallest box holding all given boxes; [0,0,0,0] for none. */
export function unionBBox(boxes: readonly BBox[]): BBox {
  if (boxes.length === 0) return [0, 0, 0, 0];
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (const b of boxes) {
    if (b[0] < x0) x0 = b[0];
    if (b[1] < y0) y0 = b[1];
    if (b[2] > x1) x1 = b[2];
    if (b[3] > y1) y1 = b[3];
  }
  return [x0, y0, x1, y1];
}

export function intersectBBox(a: BBox, b: BBox): BBox | null {
  const x0 = Math.max(a[0], b[0]),
    y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[2], b[2]),
    y1 = Math.min(a[3], b[3]);
  return x0 < x1 && y0 < y1 ? [x0, y0, x1, y1] : null;
}

/** Intersection over the area of `a` (how much of `a` lies inside `b`). */
export function coverage(a: BBox, b: BBox): number {
  const i = intersectBBox(a, b);
  const area = bboxArea(a);
  return i && area > 0 ? bboxArea(i) / area : 0;
}

export function iou(a: BBox, b: BBox): number {
  const i = intersectBBox(a, b);
  if (!i) return 0;
  const ia = bboxArea(i);
  return ia / (bboxArea(a) + bboxArea(b) - ia);
}

/** Overlap of two intervals [a0,a1] and [b0,b1] relative to the shorter one (0..1). */
export function overlapRatio(a0: number, a1: number, b0: number, b1: number): number {
  const inter = Math.min(a1, b1) - Math.max(a0, b0);
  const shorter = Math.min(a1 - a0, b1 - b0);
  return inter > 0 && shorter > 0 ? inter / shorter : 0;
}

export function polygonToBBox(poly: readonly Point[]): BBox {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (const [x, y] of poly) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return poly.length ? [x0, y0, x1, y1] : [0, 0, 0, 0];
}

export function bboxToPolygon(b: BBox): Point[] {
  return [
    [b[0], b[1]],
    [b[2], b[1]],
    [b[2], b[3]],
    [b[0], b[3]],
  ];
}

/** Round a box to integer pixels (outputs keep integers; inner stages may be fractional). */
export function roundBBox(b: BBox): BBox {
  return [Math.round(b[0]), Math.round(b[1]), Math.round(b[2]), Math.round(b[3])];
}
