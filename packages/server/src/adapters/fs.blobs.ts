/**
 * BlobStore on the local filesystem (the data dir, or shared storage when scaled). Every write is
 * temp file → fsync → rename → fsync(dir), so a crash leaves either the old state or the complete
 * new file, never half a file under a key.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { OcrflowError } from '@ocrflow/core';
import type { BlobStore, TempBlob } from '../ports/blob-store.port.ts';

const TMP = '.tmp';

export class FsBlobStore implements BlobStore {
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, TMP);
    fs.mkdirSync(this.tmpDir, { recursive: true });
  }

  async receive(source: Readable, opts: { maxBytes: number }): Promise<TempBlob> {
    const id = `${Date.now()}-${randomBytes(8).toString('hex')}.part`;
    const file = path.join(this.tmpDir, id);
    const hash = createHash('sha256');
    let size = 0;
    const fh = await fsp.open(file, 'wx');
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
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.rename(this.tempPath(temp), dest);
    await syncDir(path.dirname(dest));
  }

  async discard(temp: TempBlob): Promise<void> {
    await fsp.rm(this.tempPath(temp), { force: true });
  }

  async put(key: string, data: Buffer | string): Promise<void> {
    const dest = this.keyPath(key);
    const tmp = path.join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}.part`);
    const fh = await fsp.open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.rename(tmp, dest);
    await syncDir(path.dirname(dest));
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
    if (!key || path.isAbsolute(key) || parts.some((p) => p === '' || p === '.' || p === '..' || p === TMP)) throw new Error(`bad blob key ${JSON.stringify(key)}`);
    return path.join(this.root, ...parts);
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
