/** Reads a dataset folder in the format of ../shared/datasets/README.md. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { OcrflowError } from '@ocrflow/core';
import type { EvalSample } from './metric.types.ts';

const IMAGE = /^(.+)\.(jpe?g|png|webp|tiff?|bmp|pdf)$/i;

export function loadDataset(dir: string): EvalSample[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new OcrflowError('OCRFLOW_ERR_FILE_NOT_FOUND', `No dataset folder at ${dir}`);
  const names = readdirSync(dir).sort();
  const samples: EvalSample[] = [];
  for (const f of names) {
    const m = IMAGE.exec(f);
    if (!m) continue;
    const base = path.join(dir, m[1]);
    const read = (ext: string) => (existsSync(base + ext) ? readFileSync(base + ext, 'utf8') : undefined);
    const json = read('.gt.json');
    samples.push({
      name: m[1],
      imagePath: path.join(dir, f),
      truthText: read('.gt.txt'),
      truthHtml: read('.gt.html'),
      truthFields: json ? (JSON.parse(json) as Record<string, string>) : undefined,
      refHtml: read('.ref.html'),
    });
  }
  return samples;
}
