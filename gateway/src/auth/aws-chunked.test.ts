import { describe, it, expect } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { S3Error } from '../http/errors.js';
import { createChecksum, checksumHeaderName, type ChecksumAlgorithm } from '../checksums/algorithms.js';
import { createAwsChunkedDecoder, type AwsChunkedDecoderStream } from './aws-chunked.js';
import { verifyRequest } from './verify.js';
import { TEST_KEY, TEST_REGION, signHeader, signatureOf, testSigner } from './test-signer.js';
import type { AuthContext, SigV4Request, VerifiedAuth } from './types.js';

const DATE = new Date('2025-03-01T12:00:00Z');
const AMZ_DATE = '20250301T120000Z';
const SCOPE = `20250301/${TEST_REGION}/s3/aws4_request`;
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const EMPTY = sha256('');

const ctx: AuthContext = { now: DATE, region: TEST_REGION, lookup: (id) => (id === TEST_KEY.accessKeyId ? TEST_KEY : undefined) };

/** The real signer signs our string to sign: the chunk format comes from the AWS documentation. */
async function sign(stringToSign: string): Promise<string> {
  return testSigner().sign(stringToSign, { signingDate: DATE });
}

interface Trailer {
  name: string;
  value: string;
}

async function signedBody(seed: string, chunks: Buffer[], trailer?: Trailer): Promise<Buffer> {
  const parts: Buffer[] = [];
  let previous = seed;
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    const sig = await sign(`AWS4-HMAC-SHA256-PAYLOAD\n${AMZ_DATE}\n${SCOPE}\n${previous}\n${EMPTY}\n${sha256(chunk)}`);
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${sig}\r\n`), chunk);
    if (chunk.length > 0) parts.push(Buffer.from('\r\n'));
    previous = sig;
  }
  if (trailer) {
    const line = `${trailer.name}:${trailer.value}`;
    const sig = await sign(`AWS4-HMAC-SHA256-TRAILER\n${AMZ_DATE}\n${SCOPE}\n${previous}\n${sha256(`${line}\n`)}`);
    parts.push(Buffer.from(`${line}\r\nx-amz-trailer-signature:${sig}\r\n\r\n`));
  } else {
    parts.push(Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

function unsignedBody(chunks: Buffer[], trailer?: Trailer): Buffer {
  const parts: Buffer[] = [];
  for (const chunk of chunks) parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  parts.push(Buffer.from('0\r\n'));
  if (trailer) parts.push(Buffer.from(`${trailer.name}:${trailer.value}\r\n`));
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

function checksumOf(alg: ChecksumAlgorithm, data: Buffer): string {
  const h = createChecksum(alg);
  h.update(data);
  return h.digestBase64();
}

async function streamingAuth(contentSha: string, headers: Record<string, string>): Promise<{ auth: VerifiedAuth; req: SigV4Request }> {
  const req = await signHeader({
    method: 'PUT',
    path: '/bucket/key',
    headers: { 'x-amz-content-sha256': contentSha, 'content-encoding': 'aws-chunked', ...headers },
    date: DATE,
  });
  const auth = verifyRequest(req, ctx, { service: 's3' });
  if (!auth) throw new Error('expected auth');
  return { auth, req };
}

interface Decoded {
  out: Buffer;
  err?: S3Error;
}

async function decode(decoder: AwsChunkedDecoderStream, body: Buffer, pieceSize: number): Promise<Decoded> {
  const out: Buffer[] = [];
  decoder.on('data', (d: Buffer) => out.push(d));
  const finished = new Promise<S3Error | undefined>((resolve, reject) => {
    decoder.on('end', () => resolve(undefined));
    decoder.on('error', (e) => (e instanceof S3Error ? resolve(e) : reject(e)));
  });
  for (let i = 0; i < body.length && !decoder.destroyed; i += pieceSize) decoder.write(body.subarray(i, i + pieceSize));
  if (!decoder.destroyed) decoder.end();
  const err = await finished;
  return { out: Buffer.concat(out), err };
}

const payload = randomBytes(3 * 8192 + 123);
const chunksOf = (data: Buffer, size: number) =>
  Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size));

describe('signed aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
  const headers = { 'x-amz-decoded-content-length': String(payload.length) };

  it.each([1, 7, 100, 8192, 1 << 20])('decodes a good body fed %i bytes at a time', async (pieceSize) => {
    const { auth, req } = await streamingAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const body = await signedBody(signatureOf(req), chunksOf(payload, 8192));
    const result = await decode(createAwsChunkedDecoder(auth, req.headers), body, pieceSize);
    expect(result.err).toBeUndefined();
    expect(result.out.equals(payload)).toBe(true);
  });

  it.each([0, 1, 3])('fails on a flipped byte in chunk %i before releasing that chunk', async (chunkIndex) => {
    const { auth, req } = await streamingAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const body = await signedBody(signatureOf(req), chunksOf(payload, 8192));
    // Find the chunk's data: skip the header lines of the chunks before it.
    let offset = 0;
    for (let i = 0; i <= chunkIndex; i++) {
      offset = body.indexOf('\r\n', offset) + 2;
      if (i < chunkIndex) offset += Math.min(8192, payload.length - i * 8192) + 2;
    }
    const tampered = Buffer.from(body);
    tampered[offset + 5] ^= 0x01;
    const result = await decode(createAwsChunkedDecoder(auth, req.headers), tampered, 1000);
    expect(result.err?.code).toBe('SignatureDoesNotMatch');
    expect(result.out.length).toBeLessThanOrEqual(chunkIndex * 8192);
    expect(result.out.equals(payload.subarray(0, result.out.length))).toBe(true);
  });

  it('rejects a body whose signature chain starts from another seed', async () => {
    const { auth, req } = await streamingAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const foreign = await signedBody('0'.repeat(64), chunksOf(payload, 8192));
    const result = await decode(createAwsChunkedDecoder(auth, req.headers), foreign, 4096);
    expect(result.err?.code).toBe('SignatureDoesNotMatch');
    expect(result.out.length).toBe(0);
  });

  it('wipes its copy of the signing key when done', async () => {
    const { auth, req } = await streamingAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const body = await signedBody(signatureOf(req), chunksOf(payload, 8192));
    expect(auth.streaming?.signingKey.some((b) => b !== 0)).toBe(true);
    expect((await decode(createAwsChunkedDecoder(auth, req.headers), body, 4096)).err).toBeUndefined();
    expect(auth.streaming?.signingKey.every((b) => b === 0)).toBe(true);
    expect(() => createAwsChunkedDecoder(auth, req.headers)).toThrow(/unused streaming signing state/);
  });

  it.each([1, 10, 8200, 30])('fails with IncompleteBody when the last %i bytes are missing', async (cut) => {
    const { auth, req } = await streamingAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const body = await signedBody(signatureOf(req), chunksOf(payload, 8192));
    const result = await decode(createAwsChunkedDecoder(auth, req.headers), body.subarray(0, body.length - cut), 999);
    expect(result.err?.code).toBe('IncompleteBody');
    expect(result.err?.message).toBe('The request body terminated unexpectedly');
  });

  it('fails when the decoded length differs from x-amz-decoded-content-length', async () => {
    const { auth, req } = await streamingAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', { 'x-amz-decoded-content-length': String(payload.length + 1) });
    const body = await signedBody(signatureOf(req), chunksOf(payload, 8192));
    expect((await decode(createAwsChunkedDecoder(auth, req.headers), body, 5000)).err?.code).toBe('IncompleteBody');
  });

  it('rejects malformed framing and data after the end', async () => {
    const { auth, req } = await streamingAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const body = await signedBody(signatureOf(req), chunksOf(payload, 8192));
    const noSignature = Buffer.concat([Buffer.from('2000\r\n'), body.subarray(body.indexOf('\r\n') + 2)]);
    expect((await decode(createAwsChunkedDecoder(auth, req.headers), noSignature, 5000)).err?.code).toBe('IncompleteBody');
    const again = await streamingAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const extra = Buffer.concat([await signedBody(signatureOf(again.req), chunksOf(payload, 8192)), Buffer.from('junk')]);
    expect((await decode(createAwsChunkedDecoder(again.auth, again.req.headers), extra, 5000)).err?.code).toBe('IncompleteBody');
  });

  it('decodes an empty payload', async () => {
    const { auth, req } = await streamingAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', { 'x-amz-decoded-content-length': '0' });
    const result = await decode(createAwsChunkedDecoder(auth, req.headers), await signedBody(signatureOf(req), []), 3);
    expect(result.err).toBeUndefined();
    expect(result.out.length).toBe(0);
  });

  it('matches the worked example of the AWS documentation', async () => {
    // Documented example: 65536 + 1024 bytes of 'a', example credentials, 2013-05-24.
    const docKey = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
    const seed = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
    const headers = {
      host: 's3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${seed}`,
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
      'content-length': '66824',
    };
    const auth = verifyRequest(
      { method: 'PUT', rawPath: '/examplebucket/chunkObject.txt', rawQuery: '', headers },
      { now: new Date('2013-05-24T00:00:00Z'), region: 'us-east-1', lookup: () => docKey },
      { service: 's3' },
    );
    expect(auth?.streaming?.seedSignature).toBe(seed);
    const body = Buffer.concat([
      Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'),
      Buffer.alloc(65536, 'a'),
      Buffer.from('\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'),
      Buffer.alloc(1024, 'a'),
      Buffer.from('\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n'),
    ]);
    expect(body.length).toBe(66824);
    const result = await decode(createAwsChunkedDecoder(auth!, headers), body, 4096);
    expect(result.err).toBeUndefined();
    expect(result.out.equals(Buffer.alloc(66560, 'a'))).toBe(true);
  });
});

describe('signed aws-chunked with trailer (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER)', () => {
  const headers = { 'x-amz-decoded-content-length': String(payload.length), 'x-amz-trailer': 'x-amz-checksum-crc32c' };

  it('verifies the trailer signature and checksum and exposes the checksum', async () => {
    const { auth, req } = await streamingAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', headers);
    const value = checksumOf('CRC32C', payload);
    const body = await signedBody(signatureOf(req), chunksOf(payload, 8192), { name: 'x-amz-checksum-crc32c', value });
    const decoder = createAwsChunkedDecoder(auth, req.headers);
    const result = await decode(decoder, body, 1);
    expect(result.err).toBeUndefined();
    expect(result.out.equals(payload)).toBe(true);
    expect(decoder.trailerChecksum).toEqual({ algorithm: 'CRC32C', base64: value });
  });

  it('rejects a trailer whose signature does not cover it', async () => {
    const { auth, req } = await streamingAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', headers);
    const good = checksumOf('CRC32C', payload);
    const body = await signedBody(signatureOf(req), chunksOf(payload, 8192), { name: 'x-amz-checksum-crc32c', value: good });
    const forged = Buffer.from(body.toString('latin1').replace(good, checksumOf('CRC32C', Buffer.from('x'))), 'latin1');
    expect((await decode(createAwsChunkedDecoder(auth, req.headers), forged, 4096)).err?.code).toBe('SignatureDoesNotMatch');
  });

  it('rejects a signed-trailer body without the trailer signature', async () => {
    const { auth, req } = await streamingAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', headers);
    const body = await signedBody(signatureOf(req), chunksOf(payload, 8192), { name: 'x-amz-checksum-crc32c', value: checksumOf('CRC32C', payload) });
    const text = body.toString('latin1');
    const stripped = Buffer.from(text.replace(/x-amz-trailer-signature:[0-9a-f]{64}\r\n/, ''), 'latin1');
    expect((await decode(createAwsChunkedDecoder(auth, req.headers), stripped, 4096)).err?.code).toBe('MalformedTrailerError');
  });

  it('rejects a correctly signed but wrong checksum with BadDigest', async () => {
    const { auth, req } = await streamingAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', headers);
    const body = await signedBody(signatureOf(req), chunksOf(payload, 8192), { name: 'x-amz-checksum-crc32c', value: 'AAAAAA==' });
    const err = (await decode(createAwsChunkedDecoder(auth, req.headers), body, 4096)).err;
    expect(err?.code).toBe('BadDigest');
    expect(err?.message).toBe('The CRC32C you specified did not match the calculated checksum.');
  });
});

describe('unsigned aws-chunked with trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER)', () => {
  const algorithms: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'];

  it.each(algorithms)('accepts a correct %s trailer, fed byte by byte', async (alg) => {
    const name = checksumHeaderName(alg);
    const { auth, req } = await streamingAuth('STREAMING-UNSIGNED-PAYLOAD-TRAILER', {
      'x-amz-trailer': name,
      'x-amz-decoded-content-length': String(payload.length),
    });
    const body = unsignedBody(chunksOf(payload, 10000), { name, value: checksumOf(alg, payload) });
    const decoder = createAwsChunkedDecoder(auth, req.headers);
    const result = await decode(decoder, body, 1);
    expect(result.err).toBeUndefined();
    expect(result.out.equals(payload)).toBe(true);
    expect(decoder.trailerChecksum).toEqual({ algorithm: alg, base64: checksumOf(alg, payload) });
  });

  it.each(algorithms)('rejects a wrong %s trailer with BadDigest', async (alg) => {
    const name = checksumHeaderName(alg);
    const { auth, req } = await streamingAuth('STREAMING-UNSIGNED-PAYLOAD-TRAILER', { 'x-amz-trailer': name });
    const body = unsignedBody(chunksOf(payload, 10000), { name, value: checksumOf(alg, Buffer.from('other')) });
    const err = (await decode(createAwsChunkedDecoder(auth, req.headers), body, 777)).err;
    expect(err?.code).toBe('BadDigest');
    expect(err?.message).toBe(`The ${alg} you specified did not match the calculated checksum.`);
  });

  it('rejects a malformed trailer value, a missing trailer and a foreign trailer name', async () => {
    const headers = { 'x-amz-trailer': 'x-amz-checksum-crc64nvme' };
    const run = async (body: Buffer) => {
      const { auth, req } = await streamingAuth('STREAMING-UNSIGNED-PAYLOAD-TRAILER', headers);
      return (await decode(createAwsChunkedDecoder(auth, req.headers), body, 4096)).err;
    };
    const bad = await run(unsignedBody([payload], { name: 'x-amz-checksum-crc64nvme', value: 'abc' }));
    expect(bad?.code).toBe('InvalidRequest');
    expect(bad?.message).toBe('Value for x-amz-checksum-crc64nvme trailing header is invalid.');
    expect((await run(unsignedBody([payload])))?.code).toBe('MalformedTrailerError');
    const foreign = await run(unsignedBody([payload], { name: 'x-amz-checksum-crc32', value: checksumOf('CRC32', payload) }));
    expect(foreign?.code).toBe('MalformedTrailerError');
    expect(foreign?.status).toBe(400);
  });

  it('accepts a body without a trailer when none was announced', async () => {
    const { auth, req } = await streamingAuth('STREAMING-UNSIGNED-PAYLOAD-TRAILER', {});
    const decoder = createAwsChunkedDecoder(auth, req.headers);
    const result = await decode(decoder, unsignedBody(chunksOf(payload, 5000)), 64);
    expect(result.err).toBeUndefined();
    expect(result.out.equals(payload)).toBe(true);
    expect(decoder.trailerChecksum).toBeUndefined();
  });

  it('fails on a body cut before the final blank line', async () => {
    const name = 'x-amz-checksum-crc32';
    const { auth, req } = await streamingAuth('STREAMING-UNSIGNED-PAYLOAD-TRAILER', { 'x-amz-trailer': name });
    const body = unsignedBody([payload], { name, value: checksumOf('CRC32', payload) });
    expect((await decode(createAwsChunkedDecoder(auth, req.headers), body.subarray(0, body.length - 2), 4096)).err?.code).toBe('IncompleteBody');
  });

  it('refuses an x-amz-trailer that names no supported checksum', async () => {
    const { auth, req } = await streamingAuth('STREAMING-UNSIGNED-PAYLOAD-TRAILER', {});
    expect(() => createAwsChunkedDecoder(auth, { ...req.headers, 'x-amz-trailer': 'x-amz-meta-foo' })).toThrow(S3Error);
  });
});
