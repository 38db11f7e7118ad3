/** Tables without vertical rules, inferred from text alignment (see below). */
import type { Line } from '@ocrflow/core';
import type { DetectedTable } from './tables.detect.ts';

export interface HRule { x0: number; x1: number; y: number }
export interface UnruledOptions { textHeight: number; rules: HRule[]; pageWidth: number }

export function inferUnruledTables(_lines: readonly Line[], _o: UnruledOptions): DetectedTable[] {
  return [];
}
