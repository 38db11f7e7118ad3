/**
 * Building blocks of tables without vertical rules: text chunks and text rows.
 *
 * A chunk is a run of words with no wide gap inside (a detector line may hold several cells when
 * they sit close; words further apart than about one text height are cut apart). A text row is
 * the set of chunks sharing a baseline band.
 */
import type { BBox, Line } from '@ocrflow/core';
import { unionBBox } from '@ocrflow/core';

export interface Chunk {
  text: string;
  bbox: BBox;
  line: Line;
}

export interface TextRow {
  chunks: Chunk[];
  bbox: BBox;
  /** Vertical centre. */
  yc: number;
}

const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef]/;

export function joinWords(parts: readonly string[]): string {
  let out = '';
  for (const p of parts) out = !out ? p : CJK.test(out.slice(-1)) && CJK.test(p[0]) ? out + p : `${out} ${p}`;
  return out;
}

/** Chunks of one line: its words cut where the gap between two words exceeds `gap` pixels. */
export function lineChunks(line: Line, gap: number): Chunk[] {
  if (!line.words.length) return line.text.trim() ? [{ text: line.text.trim(), bbox: line.bbox, line }] : [];
  const words = [...line.words].sort((a, b) => a.bbox[0] - b.bbox[0]);
  const out: Chunk[] = [];
  let cur = [words[0]];
  const flush = () => {
    const text = joinWords(cur.map((w) => w.text).filter(Boolean));
    if (text) out.push({ text, bbox: unionBBox(cur.map((w) => w.bbox)), line });
  };
  for (let i = 1; i < words.length; i++) {
    if (words[i].bbox[0] - words[i - 1].bbox[2] > gap) {
      flush();
      cur = [words[i]];
    } else cur.push(words[i]);
  }
  flush();
  return out;
}

/** Group chunks into text rows by their vertical centres (sweep, tolerance half a text height). */
export function textRows(chunks: readonly Chunk[], textHeight: number): TextRow[] {
  const sorted = [...chunks].sort((a, b) => a.bbox[1] + a.bbox[3] - (b.bbox[1] + b.bbox[3]));
  const rows: { chunks: Chunk[]; sum: number }[] = [];
  for (const c of sorted) {
    const yc = (c.bbox[1] + c.bbox[3]) / 2;
    const r = rows[rows.length - 1];
    if (r && yc - r.sum / r.chunks.length < 0.5 * textHeight) {
      r.chunks.push(c);
      r.sum += yc;
    } else rows.push({ chunks: [c], sum: yc });
  }
  return rows.map((r) => {
    const chunks = r.chunks.sort((a, b) => a.bbox[0] - b.bbox[0]);
    return { chunks, bbox: unionBBox(chunks.map((c) => c.bbox)), yc: r.sum / chunks.length };
  });
}
