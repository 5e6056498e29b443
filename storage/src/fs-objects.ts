// The filesystem backend's write and read handles.
import type { FileHandle } from 'node:fs/promises';
import { unlink } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { FileHandleReadable, FileHandleWritable } from './fs-streams.js';
import { isErrno } from './fs-util.js';
import { StorageError } from './errors.js';
import { checkListingEntry } from './listing-entry.js';
import type { CommitOptions, StoredObject } from './object-store.js';

/** Moves a synced, closed temp data file of `size` bytes into place under `metadata`. */
export type CommitData<R> = (tmpPath: string, size: number, metadata: Buffer, options: CommitOptions) => Promise<R>;

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

/** A write to tmp/ that commit() hands to `commitData`; R is what that commit returns. */
export class FsPendingObject<R = void> {
  readonly stream: FileHandleWritable;
  private state: PendingState = 'open';
  private committing: Promise<R> | null = null;
  private aborting: Promise<void> | null = null;

  constructor(
    private readonly handle: FileHandle,
    private readonly tmpPath: string,
    private readonly commitData: CommitData<R>,
  ) {
    // The handle outlives 'finish' so commit() can fsync it.
    this.stream = new FileHandleWritable(handle);
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
      await this.handle.sync();
      const size = this.stream.bytesWritten;
      await this.handle.close();
      const committed = await this.commitData(this.tmpPath, size, metadata, options);
      this.state = 'committed';
      return committed;
    } catch (err) {
      this.state = 'aborted';
      await this.discard().catch(() => {}); // the original failure is the one to report
      throw err;
    }
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
    await this.handle.close(); // waits for a write still in flight
    try {
      await unlink(this.tmpPath);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
  }
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
    const size = this.pieces[index];
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    if (range === undefined && size === 0) return Readable.from([]);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end >= size) {
      throw new RangeError(`range ${start}-${end} outside data of ${size} bytes`);
    }
    return new FileHandleReadable(handle, start, end + 1);
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.map((handle) => handle.close()));
  }
}
