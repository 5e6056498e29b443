// The audit trail's file: JSON lines appended with O_APPEND and made durable with fdatasync before
// the call they describe answers. One fsync per record would serialise every SSE request on
// the disk, so appends are group-committed: records that arrive while a write+fsync is in
// flight wait together and leave in the next single write+fsync. A batch is one write() of
// whole lines, so a reader sees complete lines (and at most a torn last line after a crash,
// which readers skip).
//
// Rotation by size: before a batch would take the file past `maxBytes`, audit.log is renamed
// audit.log.<n>, n one more than any rotated file's (so a higher number is newer), the oldest
// beyond `keep` are removed, the folder is fsynced, and a fresh audit.log (mode 0600) takes the
// batch. A rotated file's name never changes afterwards, so a reader listing the folder cannot
// miss a file that moved under it (see reader.ts).

import { open, readdir, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { makePrivateFolder, nodeIo } from '../durable-json-file.js';

export interface AuditWriterOptions {
  /** Rotate before the file would exceed this many bytes (default 64 MiB). */
  maxBytes?: number;
  /** Rotated files kept beside the current one (default 5). */
  keep?: number;
}

interface Waiter {
  line: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const FILE_MODE = 0o600;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const DEFAULT_KEEP = 5;

/** The rotated files of the trail at `path`, by number, oldest first. */
export async function rotatedFiles(path: string): Promise<{ n: number; path: string }[]> {
  const prefix = `${basename(path)}.`;
  const names = await readdir(dirname(path)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  return names
    .filter((name) => name.startsWith(prefix) && /^[1-9]\d*$/.test(name.slice(prefix.length)))
    .map((name) => ({ n: Number(name.slice(prefix.length)), path: join(dirname(path), name) }))
    .sort((a, b) => a.n - b.n);
}

export class AuditWriter {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  #file: FileHandle;
  #size: number;
  #nextRotation: number;
  #pending: Waiter[] = [];
  #flushing: Promise<void> | null = null;
  #closed = false;
  #commits = 0;

  private constructor(path: string, file: FileHandle, size: number, nextRotation: number, opts: AuditWriterOptions) {
    this.path = path;
    this.#file = file;
    this.#size = size;
    this.#nextRotation = nextRotation;
    this.#maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#keep = Math.max(1, opts.keep ?? DEFAULT_KEEP);
  }

  static async open(path: string, opts: AuditWriterOptions = {}): Promise<AuditWriter> {
    await makePrivateFolder(dirname(path));
    const file = await AuditWriter.#openFile(path);
    const { size } = await file.stat();
    const rotated = await rotatedFiles(path);
    return new AuditWriter(path, file, size, (rotated.at(-1)?.n ?? 0) + 1, opts);
  }

  static async #openFile(path: string): Promise<FileHandle> {
    const file = await open(path, 'a', FILE_MODE);
    await file.chmod(FILE_MODE);
    return file;
  }

  /** Appends one record; resolves once it is on disk. */
  append(record: object): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('The audit log is closed.'));
    const line = `${JSON.stringify(record)}\n`;
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ line, resolve, reject });
      this.#flushing ??= this.#drain();
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending;
        this.#pending = [];
        try {
          await this.#writeBatch(Buffer.from(batch.map((w) => w.line).join(''), 'utf8'));
          for (const w of batch) w.resolve();
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.#flushing = null;
    }
  }

  async #writeBatch(bytes: Buffer): Promise<void> {
    if (this.#size > 0 && this.#size + bytes.length > this.#maxBytes) await this.#rotate();
    await this.#file.write(bytes);
    this.#size += bytes.length;
    // fdatasync makes the appended bytes and the file length that reaches them durable, which
    // is all a reader after a crash needs; only the timestamps are left to the next flush. A
    // single caller waits for one of these per record, and on a disk the full fsync (inode
    // times too) costs it a third more.
    await this.#file.datasync();
    this.#commits++;
  }

  /** How many write+fsync rounds have completed (group commit makes this less than the records). */
  get commits(): number {
    return this.#commits;
  }

  async #rotate(): Promise<void> {
    await this.#file.close();
    await rename(this.path, `${this.path}.${this.#nextRotation++}`);
    this.#file = await AuditWriter.#openFile(this.path);
    this.#size = 0;
    const rotated = await rotatedFiles(this.path);
    for (const old of rotated.slice(0, Math.max(0, rotated.length - this.#keep))) await rm(old.path, { force: true });
    await nodeIo.syncFolder(dirname(this.path));
  }

  /** Waits for every accepted record to be written, then closes the file. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    await this.#file.close();
  }
}
