// Streams over a FileHandle that never close it. Node's own FileHandle streams hold a
// reference that keeps handle.close() waiting until the stream is destroyed, and destroying
// them closes the handle: neither fits a handle that must outlive its streams (fsync after
// the last write; several ranged reads of one version). Every call here goes through the
// FileHandle, so a read after close() fails with EBADF instead of reading a reused fd.
import type { FileHandle } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';

/** Read size, and how much a writer may buffer: large enough that one syscall moves several segments. */
const CHUNK = 256 * 1024;
const WRITE_BUFFER = 1024 * 1024;

/** Writes sequentially from offset 0. */
export class FileHandleWritable extends Writable {
  private position = 0;

  constructor(private readonly handle: FileHandle) {
    super({ highWaterMark: WRITE_BUFFER });
  }

  /** Bytes the file holds so far: after 'finish', its size (so a commit needs no fstat). */
  get bytesWritten(): number {
    return this.position;
  }

  // Everything buffered while the previous write was in flight goes out in one writev, as
  // the chunks stand: joining them first would allocate (and leave the GC) a copy of up to
  // WRITE_BUFFER bytes per call, one more copy of every byte of a large PUT.
  override _writev(chunks: { chunk: Buffer }[], callback: (err?: Error | null) => void): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => callback(), callback);
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    let rest = buffers;
    while (rest.length > 0) {
      let { bytesWritten } = await this.handle.writev(rest, this.position);
      this.position += bytesWritten;
      // A short writev: drop what went out, go on from the first byte that did not.
      let i = 0;
      while (i < rest.length && bytesWritten >= rest[i]!.length) bytesWritten -= rest[i++]!.length;
      rest = rest.slice(i);
      if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
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
