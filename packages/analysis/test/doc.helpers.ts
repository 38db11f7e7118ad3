/** Small hand-built documents for tests that do not exercise OCR (the LLM path, the schema). */
import type { BBox, Line, OcrDocument } from '@ocrflow/core';

export function line(text: string, bbox: BBox): Line {
  return {
    text,
    bbox,
    polygon: [
      [bbox[0], bbox[1]],
      [bbox[2], bbox[1]],
      [bbox[2], bbox[3]],
      [bbox[0], bbox[3]],
    ],
    confidence: 0.95,
    words: [],
  };
}

/** One page, one text block; each entry is a line `[text, x0, y0, x1, y1]`. */
export function docOf(entries: [string, number, number, number, number][], size: [number, number] = [600, 1200]): OcrDocument {
  const lines = entries.map(([t, ...b]) => line(t, b as BBox));
  return {
    schema: 'ocrflow.document/1',
    meta: { engine: 'test', languages: ['en'], mime: 'image/png', page_count: 1 },
    pages: [
      {
        index: 0,
        width: size[0],
        height: size[1],
        rotation: 0,
        source: 'ocr',
        engine: 'test',
        blocks: [{ id: 'p0-b0', type: 'text', bbox: [0, 0, size[0], size[1]], lines, text: lines.map((l) => l.text).join('\n') }],
        flags: [],
        timings_ms: {},
      },
    ],
  };
}

/** A receipt laid out like a thermal print: a large name, the address, the items and the totals. */
export const RECEIPT = docOf([
  ['KEDAI RUNCIT MAJU SDN BHD', 120, 40, 480, 80],
  ['(123456-K)', 240, 90, 360, 110],
  ['NO. 12, JALAN BUNGA RAYA 3,', 150, 115, 450, 135],
  ['TAMAN MELATI, 53100 KUALA LUMPUR', 130, 140, 470, 160],
  ['TEL: 03-4142 1234', 200, 165, 400, 185],
  ['GST ID: 001234567890', 190, 190, 410, 210],
  ['TAX INVOICE', 230, 225, 370, 245],
  ['INVOICE NO: INV-2019-00042', 40, 260, 340, 280],
  ['DATE: 12/01/2019 10:15', 40, 285, 300, 305],
  ['SUGAR 1KG', 40, 330, 200, 350],
  ['2.80', 480, 330, 540, 350],
  ['RICE 5KG', 40, 355, 200, 375],
  ['18.50', 470, 355, 540, 375],
  ['SUB TOTAL', 40, 400, 200, 420],
  ['21.30', 470, 400, 540, 420],
  ['GST 6%', 40, 425, 200, 445],
  ['1.28', 480, 425, 540, 445],
  ['ROUNDING ADJ', 40, 450, 220, 470],
  ['-0.03', 475, 450, 540, 470],
  ['TOTAL (RM)', 40, 475, 220, 495],
  ['22.55', 470, 475, 540, 495],
  ['CASH', 40, 500, 200, 520],
  ['50.00', 470, 500, 540, 520],
  ['CHANGE', 40, 525, 200, 545],
  ['27.45', 470, 525, 540, 545],
  ['THANK YOU, PLEASE COME AGAIN', 120, 570, 480, 590],
]);
