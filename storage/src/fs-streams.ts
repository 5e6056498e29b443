// Streams over a FileHandle that never close it. Node's own FileHandle streams hold a
// reference that keeps handle.close() waiting until the stream is destroyed, and destroying
// them closes the handle: neither fits a handle that must outlive its streams (fsync after
// the last write; several ranged reads of one version). Every call here goes through the
// FileHandle, so a read after close() fails with EBADF instead of reading a reused fd.
import type { FileHandle } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';

/** Read size: large enough that one syscall moves several segments. */
const CHUNK = 1024 * 1024;
/**
 * How much a writer takes while its last write is in flight, all of it the next writev.
 * 256 KiB is four segments a call; 1 MiB bought a large PUT no speed, and 16 uploads
 * waiting on the disk each held a full one.
 */
const WRITE_BUFFER = 256 * 1024;
/**
 * A large file is handed to the disk as it comes, not all at the commit's fsync: once this
 * much more was written, a data sync starts in the background while the writes go on. The
 * page cache would otherwise hold a whole 1 GiB object dirty (writeback starts at a share of
 * RAM) and the fsync before the 200 would write all of it, two seconds here with the client
 * waiting. Durability is unchanged: the commit still fsyncs the file after the last byte.
 */
export const FLUSH_EVERY = 32 * 1024 * 1024;
/**
 * Background syncs running at once, over all files. Each holds a thread-pool thread until
 * the disk answers; with one per file, 16 concurrent 64 MiB PUTs had every pool thread in a
 * sync, their writes queued behind them and every stage's buffer full: peak RSS 136 -> 215
 * MiB. A file whose turn is taken syncs later, or at its commit.
 */
export const MAX_BACKGROUND_FLUSHES = 2;
let backgroundFlushesRunning = 0;

/** Writes every byte of `buffers` at `position` on; resolves with the position after them. */
async function writeAllAt(handle: FileHandle, buffers: Buffer[], position: number): Promise<number> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest, at);
    at += bytesWritten;
    // A short writev: drop what went out, go on from the first byte that did not.
    let i = 0;
    while (i < rest.length && bytesWritten >= rest[i]!.length) bytesWritten -= rest[i++]!.length;
    rest = rest.slice(i);
    if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
  }
  return at;
}

/**
 * Writes sequentially from offset 0 into a file it opens only once more than `holdMax`
 * bytes came: until then it holds them, so a small object never costs a data file (its
 * bytes go into its record instead). holdMax -1: the file is opened on the first write.
 */
export class SpillingWritable extends Writable {
  private position = 0;
  private held: Buffer[] = [];
  private handle: FileHandle | null = null;
  private opening: Promise<FileHandle> | null = null;
  private flushedTo = 0;
  private flushing: Promise<void> | null = null;
  private flushError: Error | null = null;

  constructor(
    private readonly holdMax: number,
    private readonly openFile: () => Promise<FileHandle>,
  ) {
    super({ highWaterMark: WRITE_BUFFER });
  }

  /** Bytes taken so far: after 'finish', the data's size (so a commit needs no fstat). */
  get bytesWritten(): number {
    return this.position;
  }

  /** The file the bytes went to, or null while they are all held. */
  get file(): FileHandle | null {
    return this.handle;
  }

  /** The held bytes, when no file was needed. */
  get heldChunks(): readonly Buffer[] {
    return this.held;
  }

  /** Moves the held bytes to the file (opening it, if it is not yet): for data that must be a file. */
  async spill(): Promise<FileHandle> {
    this.opening ??= this.openFile();
    this.handle = await this.opening;
    const held = this.held;
    this.held = [];
    if (held.length > 0) await writeAllAt(this.handle, held, 0);
    return this.handle;
  }

  /** Data syncs started in the background since the file was opened (tests and the bench). */
  backgroundFlushes = 0;

  /** Waits for a background data sync in flight; a failed one fails this (the commit must not go on). */
  async flushed(): Promise<void> {
    await this.flushing;
    if (this.flushError) throw this.flushError;
  }

  private startFlush(handle: FileHandle): void {
    this.flushedTo = this.position;
    this.backgroundFlushes++;
    backgroundFlushesRunning++;
    const done = (): void => {
      this.flushing = null;
      backgroundFlushesRunning--;
    };
    this.flushing = handle.datasync().then(done, (err: Error) => {
      done();
      this.flushError ??= err;
    });
  }

  /** Closes the file once an open or write in flight is done (FileHandle.close waits for writes). */
  async release(): Promise<void> {
    const handle = this.opening ? await this.opening.catch(() => null) : null;
    await this.flushing;
    await handle?.close();
  }

  // Everything buffered while the previous write was in flight goes out in one writev, as
  // the chunks stand: joining them first would allocate (and leave the GC) a copy of up to
  // WRITE_BUFFER bytes per call, one more copy of every byte of a large PUT.
  override _writev(chunks: { chunk: Buffer }[], callback: (err?: Error | null) => void): void {
    this.take(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.take([chunk]).then(() => callback(), callback);
  }

  private async take(buffers: Buffer[]): Promise<void> {
    const size = buffers.reduce((sum, b) => sum + b.length, 0);
    if (this.handle === null && this.position + size <= this.holdMax) {
      // Copied: a writer may reuse a chunk once its write called back.
      for (const b of buffers) this.held.push(Buffer.from(b));
      this.position += size;
      return;
    }
    if (this.handle === null || this.held.length > 0) await this.spill();
    this.position = await writeAllAt(this.handle!, buffers, this.position);
    if (this.flushError) throw this.flushError;
    if (this.flushing === null && backgroundFlushesRunning < MAX_BACKGROUND_FLUSHES && this.position - this.flushedTo >= FLUSH_EVERY) {
      this.startFlush(this.handle!);
    }
  }
}

/** Reads bytes [start, endExclusive) with positional reads. */
export class FileHandleReadable extends Readable {
  private position: number;

  constructor(
    private readonly handle: FileHandle,
    start: number,
    private readonly endExclusive: number,
  ) {
    super({ highWaterMark: CHUNK });
    this.position = start;
  }

  override _read(size: number): void {
    const want = Math.min(Math.max(size, CHUNK), this.endExclusive - this.position);
    if (want <= 0) {
      this.push(null);
      return;
    }
    const buffer = Buffer.allocUnsafe(want);
    this.handle.read(buffer, 0, want, this.position).then(
      ({ bytesRead }) => {
        if (bytesRead === 0) {
          this.destroy(new Error('data file ended before the expected size'));
          return;
        }
        this.position += bytesRead;
        this.push(buffer.subarray(0, bytesRead));
      },
      (err: Error) => this.destroy(err),
    );
  }
}
