// The filesystem backend's write and read handles.
import type { FileHandle } from 'node:fs/promises';
import { open, unlink } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { FileHandleReadable, SpillingWritable } from './fs-streams.js';
import { FILE_MODE, isErrno } from './fs-util.js';
import { StorageError } from './errors.js';
import { checkListingEntry } from './listing-entry.js';
import type { CommitOptions, StoredObject } from './object-store.js';

/** What a finished write left: a synced, closed temp file of `size` bytes, or (small) the bytes themselves. */
export type WrittenData =
  | { readonly kind: 'file'; readonly tmpPath: string; readonly size: number }
  | { readonly kind: 'inline'; readonly bytes: Buffer };

/** Puts the written data into place under `metadata`. */
export type CommitData<R> = (data: WrittenData, metadata: Buffer, options: CommitOptions) => Promise<R>;

/** Resolves once every byte was handed to the file. */
function dataWritten(stream: Writable): Promise<void> {
  if (stream.writableFinished) return Promise.resolve();
  if (stream.destroyed) return Promise.reject(new StorageError('data stream was destroyed'));
  return new Promise((resolve, reject) => {
    const settle = (err?: Error): void => {
      stream.off('finish', onFinish);
      stream.off('error', settle);
      stream.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onFinish = (): void => settle();
    const onClose = (): void => settle(new StorageError('data stream closed before it finished'));
    stream.once('finish', onFinish);
    stream.once('error', settle);
    stream.once('close', onClose);
  });
}

type PendingState = 'open' | 'committing' | 'committed' | 'aborted';

/**
 * A write that commit() hands to `commitData`; R is what that commit returns. Up to
 * `inlineMax` bytes stay in memory and are committed as such (null: always a file); more go
 * to `tmpPath`, a file created by the first write past that.
 */
export class FsPendingObject<R = void> {
  readonly stream: SpillingWritable;
  private state: PendingState = 'open';
  private committing: Promise<R> | null = null;
  private aborting: Promise<void> | null = null;

  constructor(
    private readonly tmpPath: string,
    private readonly inlineMax: number | null,
    private readonly commitData: CommitData<R>,
  ) {
    // The file outlives 'finish' so commit() can fsync it.
    this.stream = new SpillingWritable(inlineMax ?? -1, () => open(tmpPath, 'wx', FILE_MODE));
    // A stream destroyed before it finished (client gone, pipeline error) cleans up by
    // itself, so a caller that forgets abort() still leaves no temp file behind.
    this.stream.once('close', () => {
      if (this.state === 'open' && !this.stream.writableFinished) this.abort().catch(() => {});
    });
  }

  commit(metadata: Buffer, options: CommitOptions = {}): Promise<R> {
    if (this.state !== 'open') {
      return Promise.reject(new StorageError(`cannot commit a write that is ${this.state}`));
    }
    this.state = 'committing';
    this.committing = this.doCommit(metadata, options);
    return this.committing;
  }

  private async doCommit(metadata: Buffer, options: CommitOptions): Promise<R> {
    try {
      if (options.listing) checkListingEntry(options.listing);
      if (!this.stream.writableEnded) {
        throw new StorageError('commit before the data stream was ended');
      }
      await dataWritten(this.stream);
      const committed = await this.commitData(await this.written(), metadata, options);
      this.state = 'committed';
      return committed;
    } catch (err) {
      this.state = 'aborted';
      await this.discard().catch(() => {}); // the original failure is the one to report
      throw err;
    }
  }

  private async written(): Promise<WrittenData> {
    const size = this.stream.bytesWritten;
    if (this.stream.file === null && this.inlineMax !== null && size <= this.inlineMax) {
      return { kind: 'inline', bytes: Buffer.concat(this.stream.heldChunks, size) };
    }
    const handle = await this.stream.spill();
    await this.stream.flushed();
    await handle.sync();
    await handle.close();
    return { kind: 'file', tmpPath: this.tmpPath, size };
  }

  async abort(): Promise<void> {
    if (this.state === 'committing') {
      await this.committing?.catch(() => {});
      return;
    }
    if (this.state === 'committed') return;
    this.state = 'aborted';
    this.aborting ??= this.discard();
    return this.aborting;
  }

  private async discard(): Promise<void> {
    this.stream.destroy();
    await this.stream.release(); // waits for an open or a write still in flight
    try {
      await unlink(this.tmpPath);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
  }
}

/** A range of a piece of `size` bytes, checked; undefined: the whole piece. */
function rangeOf(size: number, range?: { start: number; end: number }): { start: number; endExclusive: number } {
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  if (range === undefined && size === 0) return { start: 0, endExclusive: 0 };
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end >= size) {
    throw new RangeError(`range ${start}-${end} outside data of ${size} bytes`);
  }
  return { start, endExclusive: end + 1 };
}

/** An object whose data was read with its record: nothing left open, the bytes are this version's. */
export class FsInlineObject implements StoredObject {
  readonly pieces: readonly number[];

  constructor(
    readonly inline: Buffer,
    readonly metadata: Buffer,
  ) {
    this.pieces = [inline.length];
  }

  get dataSize(): number {
    return this.inline.length;
  }

  read(range?: { start: number; end: number }, piece?: number): Readable {
    if (piece !== undefined && piece !== 0) throw new RangeError(`no data piece ${piece}`);
    const { start, endExclusive } = rangeOf(this.inline.length, range);
    return Readable.from(start === endExclusive ? [] : [this.inline.subarray(start, endExclusive)], { objectMode: false });
  }

  async close(): Promise<void> {}
}

/** One handle per data piece, all opened up front: the version read is the one opened. */
export class FsStoredObject implements StoredObject {
  readonly dataSize: number;

  constructor(
    private readonly handles: readonly FileHandle[],
    readonly metadata: Buffer,
    readonly pieces: readonly number[],
  ) {
    this.dataSize = pieces.reduce((sum, size) => sum + size, 0);
  }

  read(range?: { start: number; end: number }, piece?: number): Readable {
    if (piece === undefined && this.pieces.length !== 1) throw new RangeError('an object of several pieces is read one piece at a time');
    const index = piece ?? 0;
    const handle = this.handles[index];
    if (!Number.isInteger(index) || handle === undefined) throw new RangeError(`no data piece ${index}`);
    const { start, endExclusive } = rangeOf(this.pieces[index]!, range);
    if (start === endExclusive) return Readable.from([]);
    return new FileHandleReadable(handle, start, endExclusive);
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.map((handle) => handle.close()));
  }
}
