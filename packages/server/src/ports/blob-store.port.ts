/**
 * BlobStore: uploaded documents and result files. The filesystem under the data dir now
 * (`adapters/fs.blobs.ts`; shared storage in the scaled shape); object storage could follow.
 * Keys are `/`-separated relative paths made by the services, never by clients.
 */
import type { Readable } from 'node:stream';

/** A blob being received: on disk, hashed, not yet visible under a key. */
export interface TempBlob {
  readonly id: string;
  readonly size: number;
  /** sha256 of the bytes, hex. */
  readonly sha256: string;
}

export interface BlobStore {
  /**
   * Stream into a temporary blob, hashing on the way. Past `maxBytes` the write is aborted, the
   * temporary file deleted and OCRFLOW_ERR_PAYLOAD_TOO_LARGE thrown.
   */
  receive(source: Readable, opts: { maxBytes: number }): Promise<TempBlob>;
  readTemp(temp: TempBlob): Promise<Buffer>;
  /** Make a temporary blob durable under `key` (fsync, atomic rename). */
  commit(temp: TempBlob, key: string): Promise<void>;
  discard(temp: TempBlob): Promise<void>;
  /** Write durably and atomically (readers never see half a file). */
  put(key: string, data: Buffer | string): Promise<void>;
  get(key: string): Promise<Buffer>;
  stream(key: string): Readable;
  exists(key: string): Promise<boolean>;
  /** Remove a key or everything under a prefix. */
  delete(keyOrPrefix: string): Promise<void>;
  /**
   * Where the key lives on the local filesystem, for clients that were promised a directory
   * (DeepSeek-compatible `result_dir`); null for stores without local paths.
   */
  localPath(key: string): string | null;
  /** Delete temporary files older than `olderThanMs` (left by a crash); returns how many. */
  sweepTemp(olderThanMs: number): Promise<number>;
  /** Why the store cannot take writes now (`/ready`, `/health`), or null when it can. */
  probe(): Promise<string | null>;
}
