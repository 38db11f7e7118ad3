import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectSegments } from '../../src/tables/ruling.detect.ts';

/** A w×h mask with one horizontal run per row: row y holds [starts[y], starts[y] + lens[y]). */
function maskOf(w: number, rows: readonly { y: number; s: number; len: number }[], h: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (const r of rows) m.fill(1, r.y * w + r.s, r.y * w + r.s + r.len);
  return m;
}

test('runs of exactly the minimum length are found at every offset (probing never skips one); shorter ones are not', () => {
  const w = 97,
    minRun = 12;
  for (let s = 0; s + minRun <= w; s++) {
    // Rows 5 apart so the ±1 row dilation never joins them.
    const m = maskOf(
      w,
      [
        { y: 2, s, len: minRun },
        { y: 8, s, len: minRun - 1 },
      ],
      12,
    );
    const segs = detectSegments(m, w, 12, { minRun, minLength: 1, maxThickness: 10, maxGap: 0 });
    assert.equal(segs.length, 1, `offset ${s}: one segment`);
    assert.equal(segs[0].a0, s, `offset ${s}: starts where the run starts`);
    assert.equal(segs[0].a1, s + minRun, `offset ${s}: ends where the run ends`);
    assert.ok(Math.abs(segs[0].c - 2) < 1e-9, `offset ${s}: on row 2 (${segs[0].c})`);
  }
});

test('two runs on one row separated by a single blank pixel are two runs; the dilation ORs neighbouring rows', () => {
  const w = 80;
  const m = maskOf(
    w,
    [
      { y: 3, s: 0, len: 30 },
      { y: 3, s: 31, len: 30 },
      { y: 10, s: 5, len: 20 },
      { y: 11, s: 25, len: 20 },
    ],
    16,
  );
  const segs = detectSegments(m, w, 16, { minRun: 25, minLength: 1, maxThickness: 10, maxGap: 0 });
  const spans = segs.map((s) => [s.a0, s.a1]).sort((a, b) => a[0] - b[0]);
  // Rows 10 and 11 overlap once dilated: one run 5..45 on rows 9-12. Row 3's two runs stay apart (gap 0 allowed).
  assert.deepEqual(spans, [
    [0, 30],
    [5, 45],
    [31, 61],
  ]);
});
