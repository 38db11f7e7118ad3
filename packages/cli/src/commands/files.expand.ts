/**
 * The files of a batch (`scan`, `submit`): arguments that are files are taken as given (the
 * pipeline decides whether it can read them, so a corrupt or mislabelled file is reported, not
 * skipped); folders are walked recursively for documents by extension, in sorted order; a
 * missing path becomes a per-file error instead of ending the batch.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export const DOCUMENT_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.bmp', '.pdf'] as const;

export interface BatchFile {
  /** The path as the user would write it (relative to the cwd when given so). */
  path: string;
  /** Relative to the folder it was found in, or the base name for a file argument: names outputs. */
  rel: string;
  /** Set when the path cannot be used at all. */
  missing?: boolean;
}

async function walk(dir: string, root: string, out: BatchFile[]): Promise<void> {
  const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walk(p, root, out);
    else if (e.isFile() && (DOCUMENT_EXTENSIONS as readonly string[]).includes(path.extname(e.name).toLowerCase()))
      out.push({ path: p, rel: path.relative(root, p) });
  }
}

export async function expandInputs(args: string[]): Promise<{ files: BatchFile[]; sawFolder: boolean }> {
  const files: BatchFile[] = [];
  let sawFolder = false;
  for (const a of args) {
    const st = await fs.stat(a).catch(() => null);
    if (st?.isDirectory()) {
      sawFolder = true;
      await walk(a, a, files);
    } else files.push({ path: a, rel: path.basename(a), missing: !st });
  }
  return { files, sawFolder };
}

/** Output file names for a batch: `<rel without extension>.<ext>`, keeping the input extension where two inputs would collide. */
export function outputNames(files: BatchFile[], ext: string): string[] {
  const plain = files.map((f) => f.rel.slice(0, f.rel.length - path.extname(f.rel).length) + ext);
  const count = new Map<string, number>();
  for (const p of plain) count.set(p, (count.get(p) ?? 0) + 1);
  return files.map((f, i) => ((count.get(plain[i]) ?? 0) > 1 ? f.rel + ext : plain[i]));
}
