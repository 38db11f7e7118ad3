/**
 * Cheap, honest health of every engine for `GET /v1/engines`, run on the API's main thread.
 *
 * Local engines are checked by their files (ONNX models, traineddata) rather than by creating
 * sessions: loading PP-OCRv4 on the event-loop thread would cost ~200 MB and seconds, and worker
 * threads already prove the models load when they start. Remote engines are asked (`health()` does
 * one short request and caches the answer), because only the endpoint can say whether it is up.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EngineName } from '@ocrflow/core';
import type { EngineOptions } from './engine.options.ts';
import { MODELS, defaultModelDir } from './paddle/paddle.engine.ts';
import { languageDir, tesseractCode } from './tesseract/tesseract.languages.ts';
import { getEngine, registeredEngines } from './registry.ts';
import type { EngineHealth } from './types.ts';

export interface EngineStatus extends EngineHealth {
  kind: 'local' | 'remote';
  /** False for a remote engine without an endpoint setting. */
  configured: boolean;
  /** The engine jobs get when they name none. */
  default: boolean;
}

const REMOTE: ReadonlySet<EngineName> = new Set(['vlm', 'ppstructure']);

function probePaddle(): EngineHealth {
  const dir = defaultModelDir();
  const missing = Object.values(MODELS).filter((f) => !existsSync(path.join(dir, f)));
  return missing.length
    ? { name: 'paddle', ok: false, detail: `model files missing in ${dir}: ${missing.join(', ')}` }
    : { name: 'paddle', ok: true, detail: 'PP-OCRv4 det + rec, mobile v2 direction classifier (onnxruntime-node, CPU)' };
}

function probeTesseract(languages: readonly string[]): EngineHealth {
  const codes = [...new Set(languages.map(tesseractCode))];
  const found = codes.filter((c) => languageDir(c) !== null);
  const missing = codes.filter((c) => !found.includes(c));
  return {
    name: 'tesseract',
    ok: found.length > 0,
    detail: `tesseract.js; language data ${found.join('+') || 'none'}${missing.length ? ` (not installed: ${missing.join(', ')})` : ''}`,
  };
}

function isConfigured(name: EngineName, options: EngineOptions): boolean {
  if (name === 'vlm') return Boolean(options.vlm.baseUrl);
  if (name === 'ppstructure') return Boolean(options.ppstructure.baseUrl);
  return true;
}

async function probe(name: EngineName, options: EngineOptions): Promise<EngineHealth> {
  if (name === 'paddle') return probePaddle();
  if (name === 'tesseract') return probeTesseract(options.languages);
  if (!isConfigured(name, options)) {
    const setting = name === 'vlm' ? 'OCRFLOW_VLM_BASE_URL' : 'OCRFLOW_PPSTRUCTURE_URL';
    return { name, ok: false, detail: `not configured: set ${setting}` };
  }
  try {
    return await (await getEngine(name, options)).health();
  } catch (e) {
    return { name, ok: false, detail: (e as Error).message };
  }
}

/** Every registered engine with its health; never throws. */
export async function probeEngines(options: EngineOptions): Promise<EngineStatus[]> {
  return Promise.all(
    registeredEngines().map(async (name) => ({
      ...(await probe(name, options)),
      name,
      kind: REMOTE.has(name) ? ('remote' as const) : ('local' as const),
      configured: isConfigured(name, options),
      default: name === options.engine,
    })),
  );
}
