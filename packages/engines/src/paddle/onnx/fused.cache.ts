/**
 * Rewritten model graphs (onnx.fuse.ts) kept on disk, so a process rewrites each model once and
 * every later start — a CLI run, a new worker thread — loads the result directly: the rewrite is
 * a few hundred milliseconds of JavaScript per model, a large share of a cold start.
 * A cache entry is named by the model file (path, size, modification time) and FUSE_REVISION, so a
 * new model or a changed rewrite never meets an old entry. Writes go to a temporary name and are
 * renamed into place: processes starting together never read half a file.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FUSE_REVISION, fuseModel, type FuseStats } from './onnx.fuse.ts';

export async function fusedModel(modelPath: string, cacheDir: string | null): Promise<{ model: Uint8Array; stats: FuseStats }> {
  if (!cacheDir) return fuseModel(await readFile(modelPath));
  const st = await stat(modelPath);
  const key = createHash('sha256')
    .update(`${path.resolve(modelPath)}\0${st.size}\0${st.mtimeMs}\0${FUSE_REVISION}`)
    .digest('hex')
    .slice(0, 24);
  const file = path.join(cacheDir, `${path.basename(modelPath, '.onnx')}.${key}.onnx`);
  try {
    const [model, stats] = await Promise.all([readFile(file), readFile(`${file}.json`, 'utf8')]);
    return { model, stats: JSON.parse(stats) as FuseStats };
  } catch {
    /* not cached yet */
  }
  const r = fuseModel(await readFile(modelPath));
  try {
    await mkdir(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(`${tmp}.json`, JSON.stringify(r.stats));
    await rename(`${tmp}.json`, `${file}.json`);
    await writeFile(tmp, r.model);
    await rename(tmp, file);
  } catch {
    /* a read-only or full disk only costs the next start the rewrite */
  }
  return r;
}
