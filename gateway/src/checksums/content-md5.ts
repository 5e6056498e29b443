/**
 * Content-MD5 (RFC 1864): base64 of the 16-byte MD5 of the body as received.
 * A header that is not base64 of 16 bytes -> InvalidDigest (field Content-MD5), raised at
 * construction so the body is never read; a mismatch -> BadDigest with ExpectedDigest and
 * CalculatedDigest, raised when the stream ends.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../http/errors.js';

function isValidMd5Header(value: string): boolean {
  if (value.length !== 24 || !/^[A-Za-z0-9+/]{22}==$/.test(value)) return false;
  return Buffer.from(value, 'base64').toString('base64') === value;
}

export function createContentMd5Check(headerValue: string): Transform {
  if (!isValidMd5Header(headerValue)) {
    throw new S3Error('InvalidDigest', undefined, { 'Content-MD5': headerValue });
  }
  const md5 = createHash('md5');
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      md5.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const calculated = md5.digest('base64');
      if (calculated !== headerValue) {
        return callback(new S3Error('BadDigest', undefined, { ExpectedDigest: headerValue, CalculatedDigest: calculated }));
      }
      callback();
    },
  });
}
