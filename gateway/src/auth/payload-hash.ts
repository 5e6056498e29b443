/**
 * Check of a single-chunk signed payload: the body must hash to the hex SHA-256 the client
 * put in x-amz-content-sha256 (and signed). Bytes pass through as they come; the mismatch is
 * reported when the stream ends, before the write that follows can commit.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../http/errors.js';

export function createPayloadHashCheck(expectedHex: string): Transform {
  const expected = expectedHex.toLowerCase();
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const computed = hash.digest('hex');
      if (computed !== expected) {
        return callback(
          new S3Error('XAmzContentSHA256Mismatch', undefined, {
            ClientComputedContentSHA256: expected,
            S3ComputedContentSHA256: computed,
          }),
        );
      }
      callback();
    },
  });
}
