import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hashTap } from '@kmsgate/gateway';

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

/** Hex SHA-256 of everything `stream` yields, never holding it whole. */
export async function sha256Of(stream: Readable): Promise<string> {
  const tap = hashTap('sha256');
  await pipeline(stream, tap, countingSink());
  return tap.hex();
}
