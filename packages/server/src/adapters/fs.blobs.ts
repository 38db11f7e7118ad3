/**
 * BlobStore on the local filesystem (the data dir, or shared storage when scaled). Every write is
 * temp file → fsync → rename → fsync(dir), so a crash leaves either the old state or the complete
 * new file, never half a file under a key.
 *
 * Files are created with `modes.file` and directories with `modes.dir` (OCRFLOW_FILE_MODE, 0600 /
 * 0700 by default: uploads and results are other people's documents). A write the filesystem
 * refuses (read-only, permissions, full disk, the directory gone) is OCRFLOW_ERR_STORAGE_UNAVAILABLE
 * (503), not an internal error: the client may retry, the operator has something to fix.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { OcrflowError } from '@ocrflow/core';
import type { BlobStore, TempBlob } from '../ports/blob-store.port.ts';

const TMP = '.tmp';
/** errno codes that mean "this storage cannot take writes now". */
const STORAGE_ERRNOS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'ENOENT', 'EIO']);

export interface BlobModes {
  file: number;
  dir: number;
}

/** A filesystem failure that means the storage is unusable becomes a 503 with a stable code. */
export function storageError(e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && STORAGE_ERRNOS.has(code))
    return new OcrflowError('OCRFLOW_ERR_STORAGE_UNAVAILABLE', `The data directory cannot be written (${code}); retry later`, undefined, { cause: e });
  return e;
}

export class FsBlobStore implements BlobStore {
  private readonly tmpDir: string;
  private probed: { at: number; result: Promise<string | null> } | null = null;

  constructor(
    readonly root: string,
    private readonly modes: BlobModes = { file: 0o600, dir: 0o700 },
  ) {
    this.tmpDir = path.join(root, TMP);
    fs.mkdirSync(this.tmpDir, { recursive: true, mode: modes.dir });
  }

  /**
   * Why the store cannot take writes now, or null when it can: a real create + delete in the temp
   * directory (access(2) says nothing of read-only mounts mounted later or a full disk). Cached for
   * a second, because /health and /ready may be polled often.
   */
  probe(): Promise<string | null> {
    const now = Date.now();
    if (this.probed && now - this.probed.at < 1000) return this.probed.result;
    const file = path.join(this.tmpDir, `probe-${randomBytes(6).toString('hex')}.part`);
    const result = (async () => {
      try {
        const fh = await fsp.open(file, 'wx', this.modes.file);
        await fh.close();
        await fsp.rm(file, { force: true });
        return null;
      } catch (e) {
        return `not writable (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
      }
    })();
    this.probed = { at: now, result };
    return result;
  }

  async receive(source: Readable, opts: { maxBytes: number }): Promise<TempBlob> {
    const id = `${Date.now()}-${randomBytes(8).toString('hex')}.part`;
    const file = path.join(this.tmpDir, id);
    const hash = createHash('sha256');
    let size = 0;
    const fh = await fsp.open(file, 'wx', this.modes.file).catch((e: unknown) => {
      throw storageError(e);
    });
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > opts.maxBytes) {
          // Stop reading (the rest of the body is discarded by the HTTP layer) and leave nothing behind.
          source.destroy();
          throw new OcrflowError('OCRFLOW_ERR_PAYLOAD_TOO_LARGE', `The upload exceeds the limit of ${opts.maxBytes} bytes`, { max_bytes: opts.maxBytes });
        }
        hash.update(chunk);
        await fh.write(chunk);
      }
      // busboy stops at its own limit and only flags the stream; treat that as too large as well.
      if ((source as Readable & { truncated?: boolean }).truncated) {
        throw new OcrflowError('OCRFLOW_ERR_PAYLOAD_TOO_LARGE', `The upload exceeds the limit of ${opts.maxBytes} bytes`, { max_bytes: opts.maxBytes });
      }
      await fh.sync();
      await fh.close();
    } catch (e) {
      // The upload's own error is the one to report; a failing close of its half-written file adds nothing.
      await fh.close().catch(() => {});
      await fsp.rm(file, { force: true });
      throw e;
    }
    return { id, size, sha256: hash.digest('hex') };
  }

  readTemp(temp: TempBlob): Promise<Buffer> {
    return fsp.readFile(this.tempPath(temp));
  }

  async commit(temp: TempBlob, key: string): Promise<void> {
    const dest = this.keyPath(key);
    let created: string | undefined;
    try {
      created = await fsp.mkdir(path.dirname(dest), { recursive: true, mode: this.modes.dir });
      await fsp.rename(this.tempPath(temp), dest);
    } catch (e) {
      throw storageError(e);
    }
    await syncDir(path.dirname(dest));
    await syncNewDirs(path.dirname(dest), created);
  }

  async discard(temp: TempBlob): Promise<void> {
    await fsp.rm(this.tempPath(temp), { force: true });
  }

  async put(key: string, data: Buffer | string): Promise<void> {
    const dest = this.keyPath(key);
    const tmp = path.join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}.part`);
    let created: string | undefined;
    try {
      const fh = await fsp.open(tmp, 'wx', this.modes.file);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      created = await fsp.mkdir(path.dirname(dest), { recursive: true, mode: this.modes.dir });
      await fsp.rename(tmp, dest);
    } catch (e) {
      // The write's own error is the one to report; a leftover temporary file is swept at start-up.
      await fsp.rm(tmp, { force: true }).catch(() => {});
      throw storageError(e);
    }
    await syncDir(path.dirname(dest));
    await syncNewDirs(path.dirname(dest), created);
  }

  get(key: string): Promise<Buffer> {
    return fsp.readFile(this.keyPath(key));
  }

  stream(key: string): Readable {
    return fs.createReadStream(this.keyPath(key));
  }

  async exists(key: string): Promise<boolean> {
    try {
      await fsp.access(this.keyPath(key));
      return true;
    } catch {
      return false;
    }
  }

  async delete(keyOrPrefix: string): Promise<void> {
    await fsp.rm(this.keyPath(keyOrPrefix), { recursive: true, force: true });
  }

  localPath(key: string): string {
    return this.keyPath(key);
  }

  async sweepTemp(olderThanMs: number): Promise<number> {
    let n = 0;
    const cutoff = Date.now() - olderThanMs;
    for (const name of await fsp.readdir(this.tmpDir)) {
      const p = path.join(this.tmpDir, name);
      const st = await fsp.stat(p).catch(() => null);
      if (st && st.mtimeMs <= cutoff) {
        await fsp.rm(p, { force: true, recursive: true });
        n++;
      }
    }
    return n;
  }

  /** Count of temporary files (tests assert that a refused upload left none). */
  async tempCount(): Promise<number> {
    return (await fsp.readdir(this.tmpDir)).length;
  }

  private tempPath(temp: TempBlob): string {
    if (!/^[\w.-]+$/.test(temp.id)) throw new Error(`bad temp blob id ${temp.id}`);
    return path.join(this.tmpDir, temp.id);
  }

  private keyPath(key: string): string {
    const parts = key.split('/');
    // Keys are made by services, but a path escaping the root must be impossible whatever happens.
    if (!key || path.isAbsolute(key) || parts.some((p) => p === '' || p === '.' || p === '..' || p === TMP))
      throw new Error(`bad blob key ${JSON.stringify(key)}`);
    return path.join(this.root, ...parts);
  }
}

/**
 * `mkdir -p` made the folders from `first` down to `dir` (a new job's `files/jobs/<id>/`): each one's
 * entry in its parent is a write of the parent directory, which must reach the disk too, or a
 * crash could keep the file's data but lose the folder that names it.
 */
async function syncNewDirs(dir: string, first: string | undefined): Promise<void> {
  if (first === undefined) return;
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    await syncDir(path.dirname(d));
    if (d === first) return;
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename itself durable. Some filesystems refuse fsync on directories; that is not fatal.
  try {
    const fh = await fsp.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* best effort */
  }
}
