import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';

const MiB = 1024 * 1024;

/** `total` bytes made of one random MiB repeated: cheap to produce, opaque to AES, never held whole. */
export function repeatingStream(total: number): Readable {
  const block = randomBytes(MiB);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(MiB, total - sent);
      sent += n;
      this.push(n === MiB ? block : block.subarray(0, n));
    },
  });
}

/** A sink that only counts. */
export function countingSink(): Writable & { bytes(): number } {
  let count = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      count += chunk.length;
      done();
    },
  });
  return Object.assign(sink, { bytes: () => count });
}
