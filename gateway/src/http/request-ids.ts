/**
 * The ids every S3 answer carries: `x-amz-request-id` (16 upper-case hex digits, as S3's) and
 * `x-amz-id-2` (base64). They need to be unique, not secret, so they are cut from one pool of
 * random bytes refilled every 128 requests instead of costing two randomBytes() calls (two
 * trips into OpenSSL) on every request.
 */
import { randomBytes } from 'node:crypto';

const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** `n` fresh random bytes, never handed out twice. */
function take(n: number): Buffer {
  if (offset + n > pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  offset += n;
  return pool.subarray(offset - n, offset);
}

export function newRequestId(): string {
  return take(8).toString('hex').toUpperCase();
}

export function newHostId(): string {
  return take(24).toString('base64');
}
