import { describe, it, expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Error } from '../http/errors.js';
import { createPayloadHashCheck } from './payload-hash.js';
import { canonicalUriS3, canonicalQuery, parseRawQuery, percentDecode, spacedHex, uriEncodeBytes } from './canonical.js';

async function run(expectedHex: string, body: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from([body.subarray(0, 2), body.subarray(2)]),
    createPayloadHashCheck(expectedHex),
    new Writable({
      write(chunk: Buffer, _e, cb) {
        out.push(chunk);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
}

describe('createPayloadHashCheck', () => {
  const body = Buffer.from('the body');
  const hash = createHash('sha256').update(body).digest('hex');

  it('passes a body that hashes to the signed value', async () => {
    expect((await run(hash, body)).equals(body)).toBe(true);
    expect((await run(hash.toUpperCase(), body)).equals(body)).toBe(true);
  });

  it('fails at the end with XAmzContentSHA256Mismatch and both hashes', async () => {
    const err = (await run(hash, Buffer.from('the bodY')).catch((e: unknown) => e)) as S3Error;
    expect(err.code).toBe('XAmzContentSHA256Mismatch');
    expect(err.status).toBe(400);
    expect(err.fields).toEqual({
      ClientComputedContentSHA256: hash,
      S3ComputedContentSHA256: createHash('sha256').update('the bodY').digest('hex'),
    });
  });
});

describe('canonical request pieces', () => {
  it('encodes each path segment once, keeping dots and empty segments', () => {
    expect(canonicalUriS3('/b/a//../c d')).toBe('/b/a//../c%20d');
    expect(canonicalUriS3('/b/%7Euser/%e2%9c%93/a%2Fb')).toBe('/b/~user/%E2%9C%93/a%2Fb');
    expect(canonicalUriS3('/b/100%/x%zz')).toBe('/b/100%25/x%25zz');
    expect(canonicalUriS3('')).toBe('/');
  });

  // Paths of unreserved characters and slashes skip the per-segment decode and encode.
  it('gives plain and other paths the canonical form segment by segment', () => {
    const general = (path: string): string => path.split('/').map((s) => uriEncodeBytes(percentDecode(s, false))).join('/');
    const alphabet = ['a', 'Z', '0', '-', '.', '_', '~', '/', '//', ' ', '+', '%', '%2F', '%41', '*', 'é', '😀', '=', '!'];
    let seed = 11;
    for (let i = 0; i < 2000; i++) {
      let path = '/';
      const plainOnly = i % 2 === 0;
      for (let n = (i % 12) + 1; n > 0; n--) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        path += alphabet[seed % (plainOnly ? 9 : alphabet.length)];
      }
      expect(canonicalUriS3(path)).toBe(general(path));
    }
  });

  it('sorts and re-encodes the query, giving valueless parameters an empty value', () => {
    expect(canonicalQuery(parseRawQuery('uploads&prefix=a+b/c&a=2&a=1&X-Amz-Signature=zz'), 'X-Amz-Signature')).toBe(
      'a=1&a=2&prefix=a%20b%2Fc&uploads=',
    );
  });

  it('shows bytes the way S3 does', () => {
    expect(spacedHex('AWS4\n✓')).toBe('41 57 53 34 0a e2 9c 93');
  });
});
