/**
 * A pass-through stream that hashes what flows through it: the plaintext MD5 of an SSE-S3
 * ETag, and the tests' SHA-256 of what they sent and got back. Back-pressure is untouched
 * (each chunk goes on as it came); the digest exists once the stream has flushed.
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

export type HashTap = Transform & {
  /** Lower-case hex digest; throws before the stream has ended. */
  hex(): string;
};

export function hashTap(algorithm: 'md5' | 'sha256'): HashTap {
  const hash = createHash(algorithm);
  let digest: string | undefined;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      digest = hash.digest('hex');
      done();
    },
  });
  return Object.assign(tap, {
    hex(): string {
      if (digest === undefined) throw new Error('digest asked for before the stream ended');
      return digest;
    },
  });
}
