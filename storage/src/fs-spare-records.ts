// Spare inodes for record files. A commit renames a new record over the key's old one, so
// every overwrite frees one inode and the next commit allocates another. On ext4 without a
// journal, allocating is slow after many frees: it passes over every inode freed in the last
// minutes (ext4's `recently_deleted`), under the folder's lock. Measured on this project's
// 2-core machine, 4 KiB PUTs at concurrency 32: most of the thread pool's kernel time.
//
// So the replaced record is kept instead: linked into <root>/spare/ just before the rename
// (after it, that link is the inode's only name), and the next commit writes its record into
// it (truncated on open) instead of a new file. A delete moves its record there the same way.
//
// - A reader may have opened the old record before the rename and still be reading it, so a
//   spare is handed out only once every record read begun before it was retired has ended.
//   The store counts its record reads here (beginRead); one process owns the root.
// - At most 64 are kept, and a spare unused for 10 s is unlinked, so a replaced record's
//   bytes do not outlive it for long. The folder is emptied on open and on close.
// - A spare holds nothing that must survive: a crash leaves only names in spare/, and the
//   live record is never a spare (a link is retired only once the rename succeeded).
import { link, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { uniqueName } from './fs-util.js';

export interface SpareRecordsOptions {
  /** At most this many spares (default 64). */
  max?: number;
  /** A spare unused this long is unlinked (default 10 s). */
  idleMs?: number;
}

interface Spare {
  readonly path: string;
  /** Reads numbered below this may have the inode open. */
  readonly readsBefore: number;
  readonly retiredAt: number;
}

const ignore = (): void => {};

export class SpareRecords {
  /** In the order they were retired. */
  private spares: Spare[] = [];
  /** Names reserved by keepLinked() and keepMoved() and not yet retired or discarded. */
  private pending = 0;
  private nextRead = 0;
  /** Record reads in progress, by number, in the order they began (a Set keeps that order). */
  private readonly reading = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private readonly max: number;
  private readonly idleMs: number;

  constructor(private readonly dir: string, options: SpareRecordsOptions = {}) {
    this.max = options.max ?? 64;
    this.idleMs = options.idleMs ?? 10_000;
  }

  /** Call when a record read starts; call what it returns when the read is over. */
  beginRead(): () => void {
    const n = this.nextRead++;
    this.reading.add(n);
    return () => this.reading.delete(n);
  }

  /** The oldest spare, if no reader can still be in it, to write a record into; or null. */
  take(): string | null {
    const spare = this.spares[0];
    if (spare === undefined || spare.readsBefore > this.oldestRead()) return null;
    this.spares.shift();
    return spare.path;
  }

  /**
   * Links `record` into the spare folder before it is replaced; null if the pool is full or
   * the link fails (no record there). retire() or discard() the name afterwards.
   */
  async keepLinked(record: string): Promise<string | null> {
    const path = this.reserve();
    if (path === null) return null;
    try {
      await link(record, path);
      return path;
    } catch {
      this.pending--;
      return null;
    }
  }

  /** Removes `record` (a delete) by moving it into the spare folder, or unlinks it if full. */
  async keepMoved(record: string): Promise<void> {
    const path = this.reserve();
    if (path === null) return unlink(record);
    try {
      await rename(record, path);
    } catch (err) {
      this.pending--;
      throw err;
    }
    this.retire(path);
  }

  /** The kept inode is no longer a live record: it may be handed out once its readers end. */
  retire(path: string): void {
    this.pending--;
    if (this.closed) {
      unlink(path).catch(ignore);
      return;
    }
    this.spares.push({ path, readsBefore: this.nextRead, retiredAt: Date.now() });
    this.timer ??= setTimeout(() => this.expire(), this.idleMs).unref();
  }

  /** A kept name whose record was not replaced after all: the record stays, the name goes. */
  discard(path: string): void {
    this.pending--;
    unlink(path).catch(ignore);
  }

  /** Unlinks every spare; later retirements unlink at once. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const spares = this.spares;
    this.spares = [];
    await Promise.all(spares.map((s) => unlink(s.path).catch(ignore)));
  }

  private reserve(): string | null {
    if (this.closed || this.spares.length + this.pending >= this.max) return null;
    this.pending++;
    return join(this.dir, uniqueName());
  }

  private oldestRead(): number {
    for (const n of this.reading) return n;
    return this.nextRead;
  }

  private expire(): void {
    this.timer = undefined;
    const cutoff = Date.now() - this.idleMs;
    const stale = this.spares.filter((s) => s.retiredAt <= cutoff);
    this.spares = this.spares.filter((s) => s.retiredAt > cutoff);
    for (const s of stale) unlink(s.path).catch(ignore);
    if (this.spares.length > 0) this.timer = setTimeout(() => this.expire(), this.idleMs).unref();
  }
}
