import { describe, expect, it } from '@jest/globals';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createEncryptStream } from './encrypt-stream.js';
import { PlaintextLengthError } from './errors.js';
import { HEADER_SIZE, decodeHeader, encryptedSize, etagFromHeader, sha256 } from './format/gwse.js';
import { TEST_CONTEXT, TEST_DEK, encryptToBuffer, readThroughGetPath } from './testing/streams.js';
import { patternBytes } from './testing/prng.js';

const S = 4096;

describe('createEncryptStream', () => {
  it('writes header then segments, of the size the format predicts, and round-trips', async () => {
    for (const size of [0, 1, S - 1, S, S + 1, 3 * S + 7]) {
      const plaintext = patternBytes(size);
      const { file, enc } = await encryptToBuffer(plaintext, { segmentSizeLog2: 12 });
      expect(file.length).toBe(encryptedSize(size, S));
      expect(enc.ciphertextLength).toBe(file.length);
      expect(file.subarray(0, HEADER_SIZE).equals(enc.header)).toBe(true);
      expect(enc.headerSha256).toBe(sha256(enc.header).toString('hex'));
      expect(enc.etag).toBe(etagFromHeader(enc.header));
      expect(enc.etag).toMatch(/^[0-9a-f]{32}$/);
      expect(decodeHeader(enc.header).plaintextLength).toBe(size);
      const back = await readThroughGetPath(file);
      expect(back.error).toBeNull();
      expect(back.emitted.equals(plaintext)).toBe(true);
    }
  });

  it('gives the same bytes whatever the input chunking', async () => {
    const fixed = { segmentSizeLog2: 12, salt: Buffer.alloc(32, 7), noncePrefix: Buffer.alloc(7, 9) };
    const plaintext = patternBytes(3 * S + 7);
    const reference = (await encryptToBuffer(plaintext, fixed, plaintext.length)).file;
    for (const chunk of [1, 15, 16, 4095, 4096, 4097, 10000]) {
      const { file } = await encryptToBuffer(plaintext, fixed, chunk);
      expect(file.equals(reference)).toBe(true);
    }
  });

  it('draws a fresh salt, nonce prefix and so ETag for every stream', async () => {
    const a = createEncryptStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, plaintextLength: 5 });
    const b = createEncryptStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, plaintextLength: 5 });
    expect(a.etag).not.toBe(b.etag);
    expect(decodeHeader(a.header).salt.equals(decodeHeader(b.header).salt)).toBe(false);
    expect(decodeHeader(a.header).noncePrefix.equals(decodeHeader(b.header).noncePrefix)).toBe(false);
    a.transform.destroy();
    b.transform.destroy();
  });

  it('fails as soon as the input exceeds the declared length', async () => {
    const enc = createEncryptStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, plaintextLength: 10, segmentSizeLog2: 12 });
    const emitted: Buffer[] = [];
    const sink = new Writable({ write(c: Buffer, _e, cb) { emitted.push(c); cb(); } });
    const source = Readable.from([Buffer.alloc(6), Buffer.alloc(5), Buffer.alloc(100)], { objectMode: false });
    const err = await pipeline(source, enc.transform, sink).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PlaintextLengthError);
    expect((err as PlaintextLengthError).kind).toBe('tooLong');
    expect((err as PlaintextLengthError).actual).toBe(11);
    // Header and the first 6 bytes of ciphertext at most; never a tag that would seal anything.
    expect(Buffer.concat(emitted).length).toBeLessThanOrEqual(HEADER_SIZE + 6);
  });

  it('fails at the end when the input is short, without sealing the final segment', async () => {
    const enc = createEncryptStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, plaintextLength: S + 10, segmentSizeLog2: 12 });
    const emitted: Buffer[] = [];
    const sink = new Writable({ write(c: Buffer, _e, cb) { emitted.push(c); cb(); } });
    const err = await pipeline(Readable.from([Buffer.alloc(S + 9)], { objectMode: false }), enc.transform, sink).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PlaintextLengthError);
    expect((err as PlaintextLengthError).kind).toBe('tooShort');
    expect((err as PlaintextLengthError).actual).toBe(S + 9);
    expect(Buffer.concat(emitted).length).toBe(HEADER_SIZE + S + 16 + 9);
  });

  it('keeps no reference to the caller DEK', async () => {
    const dek = Buffer.from(TEST_DEK);
    const plaintext = patternBytes(S + 3);
    const enc = createEncryptStream({ dek, objectContext: TEST_CONTEXT, plaintextLength: plaintext.length, segmentSizeLog2: 12 });
    dek.fill(0xff); // the caller wipes its copy straight away
    const out: Buffer[] = [];
    await pipeline(Readable.from([plaintext], { objectMode: false }), enc.transform, new Writable({ write(c: Buffer, _e, cb) { out.push(c); cb(); } }));
    const back = await readThroughGetPath(Buffer.concat(out));
    expect(back.error).toBeNull();
    expect(back.emitted.equals(plaintext)).toBe(true);
  });

  it('zeroes its content key when the stream ends or is destroyed', async () => {
    const keyOf = (t: unknown): Buffer => (t as { contentKey: Buffer }).contentKey;
    const plaintext = patternBytes(100);
    const done = createEncryptStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, plaintextLength: plaintext.length });
    expect(keyOf(done.transform).equals(Buffer.alloc(32))).toBe(false);
    await pipeline(Readable.from([plaintext], { objectMode: false }), done.transform, new Writable({ write(_c, _e, cb) { cb(); } }));
    expect(keyOf(done.transform).equals(Buffer.alloc(32))).toBe(true);

    const aborted = createEncryptStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, plaintextLength: plaintext.length });
    aborted.transform.write(plaintext.subarray(0, 10));
    aborted.transform.destroy();
    expect(keyOf(aborted.transform).equals(Buffer.alloc(32))).toBe(true);
  });

  it('rejects bad parameters up front', () => {
    const base = { dek: TEST_DEK, objectContext: TEST_CONTEXT, plaintextLength: 1 };
    expect(() => createEncryptStream({ ...base, segmentSizeLog2: 11 })).toThrow(RangeError);
    expect(() => createEncryptStream({ ...base, segmentSizeLog2: 21 })).toThrow(RangeError);
    expect(() => createEncryptStream({ ...base, partNumber: 10001 })).toThrow(RangeError);
    expect(() => createEncryptStream({ ...base, dek: Buffer.alloc(16) })).toThrow(RangeError);
    expect(() => createEncryptStream({ ...base, plaintextLength: -1 })).toThrow(RangeError);
  });
});
