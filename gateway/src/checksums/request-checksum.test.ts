import { describe, it, expect } from '@jest/globals';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Error } from '../http/errors.js';
import { createChecksumCheck, parseRequestChecksum } from './request-checksum.js';
import { createContentMd5Check } from './content-md5.js';
import type { Transform } from 'node:stream';
import { s3ErrorThrownBy } from '../http/testing/s3-error.js';

async function run(check: Transform, data: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from([data.subarray(0, 3), data.subarray(3)]),
    check,
    new Writable({
      write(chunk: Buffer, _e, cb) {
        out.push(chunk);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
}

const HELLO_CRC32 = Buffer.from('3610a686', 'hex').toString('base64'); // CRC32("hello")

describe('parseRequestChecksum', () => {
  it('returns null without checksum headers', () => {
    expect(parseRequestChecksum({ 'content-type': 'text/plain' })).toBeNull();
  });

  it('reads a header value and the trailer form', () => {
    expect(parseRequestChecksum({ 'x-amz-checksum-crc32': HELLO_CRC32, 'x-amz-sdk-checksum-algorithm': 'CRC32' })).toEqual({
      algorithm: 'CRC32',
      expectedBase64: HELLO_CRC32,
      fromTrailer: false,
    });
    expect(parseRequestChecksum({ 'x-amz-trailer': 'x-amz-checksum-crc64nvme', 'x-amz-sdk-checksum-algorithm': 'CRC64NVME' })).toEqual({
      algorithm: 'CRC64NVME',
      fromTrailer: true,
    });
  });

  it('ignores unknown x-amz-checksum-* headers', () => {
    expect(parseRequestChecksum({ 'x-amz-checksum-mode': 'ENABLED', 'x-amz-checksum-xxhash64': 'AAAAAAAAAAA=' })).toBeNull();
  });

  it('rejects two checksum headers, and a header plus a trailer', () => {
    const e = s3ErrorThrownBy(() => parseRequestChecksum({ 'x-amz-checksum-crc32': HELLO_CRC32, 'x-amz-checksum-crc32c': 'AAAAAA==' }));
    expect(e.code).toBe('InvalidRequest');
    expect(e.message).toBe('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
    const t = s3ErrorThrownBy(() => parseRequestChecksum({ 'x-amz-checksum-crc32': HELLO_CRC32, 'x-amz-trailer': 'x-amz-checksum-crc32' }));
    expect(t.code).toBe('InvalidRequest');
  });

  it('rejects a malformed value with the header name in the message', () => {
    const e = s3ErrorThrownBy(() => parseRequestChecksum({ 'x-amz-checksum-crc32': 'abc' }));
    expect(e.code).toBe('InvalidRequest');
    expect(e.status).toBe(400);
    expect(e.message).toBe('Value for x-amz-checksum-crc32 header is invalid.');
    expect(s3ErrorThrownBy(() => parseRequestChecksum({ 'x-amz-checksum-sha256': HELLO_CRC32 })).message).toBe(
      'Value for x-amz-checksum-sha256 header is invalid.',
    );
  });

  it('checks x-amz-sdk-checksum-algorithm against what was sent', () => {
    expect(s3ErrorThrownBy(() => parseRequestChecksum({ 'x-amz-checksum-crc32': HELLO_CRC32, 'x-amz-sdk-checksum-algorithm': 'SHA256' })).message).toBe(
      'Value for x-amz-sdk-checksum-algorithm header is invalid.',
    );
    expect(s3ErrorThrownBy(() => parseRequestChecksum({ 'x-amz-sdk-checksum-algorithm': 'CRC32' })).message).toBe(
      'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
    );
  });

  it('rejects an unsupported trailer name', () => {
    expect(s3ErrorThrownBy(() => parseRequestChecksum({ 'x-amz-trailer': 'x-amz-checksum-md4' })).code).toBe('InvalidRequest');
  });
});

describe('createChecksumCheck', () => {
  it('passes bytes through and reports the digest', async () => {
    const check = createChecksumCheck('CRC32', HELLO_CRC32);
    expect((await run(check, Buffer.from('hello'))).toString()).toBe('hello');
    expect(check.result()).toBe(HELLO_CRC32);
  });

  it('computes without an expected value', async () => {
    const check = createChecksumCheck('SHA256');
    await run(check, Buffer.from(''));
    expect(check.result()).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });

  it('fails with BadDigest naming the algorithm on a mismatch', async () => {
    const err = await run(createChecksumCheck('CRC32C', 'AAAAAA=='), Buffer.from('hello')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3Error);
    expect((err as S3Error).code).toBe('BadDigest');
    expect((err as S3Error).message).toBe('The CRC32C you specified did not match the calculated checksum.');
  });
});

describe('createContentMd5Check', () => {
  const good = 'XUFAKrxLKna5cZ2REBfFkg=='; // MD5("hello")

  it('accepts a matching digest', async () => {
    expect((await run(createContentMd5Check(good), Buffer.from('hello'))).toString()).toBe('hello');
  });

  it('reports a mismatch with both digests', async () => {
    const err = (await run(createContentMd5Check(good), Buffer.from('hellO')).catch((e: unknown) => e)) as S3Error;
    expect(err.code).toBe('BadDigest');
    expect(err.message).toBe('The Content-MD5 you specified did not match what we received.');
    expect(err.fields).toEqual({ ExpectedDigest: good, CalculatedDigest: 'BmEsDZxz1HpwQq/XAk18gg==' });
  });

  it('rejects a header that is not base64 of 16 bytes before reading the body', () => {
    for (const bad of ['nope', 'XUFAKrxLKna5cZ2REBfF', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'XUFAKrxLKna5cZ2REBfFk==']) {
      const e = s3ErrorThrownBy(() => createContentMd5Check(bad));
      expect(e.code).toBe('InvalidDigest');
      expect(e.fields).toEqual({ 'Content-MD5': bad });
    }
  });
});
