/** What table detection hands back, ruled or unruled (tables.detect.ts, unruled.infer.ts). */
import type { BBox, Line, Table } from '@ocrflow/core';

export interface DetectedTable {
  bbox: BBox;
  table: Table;
  /** Lines inside the table (consumed from the page's text). */
  lines: Line[];
  /** Much of the table's text could not be read reliably (the recogniser's own doubt). */
  unreadable?: boolean;
}
