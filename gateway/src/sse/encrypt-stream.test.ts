import { describe, expect, it } from '@jest/globals';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createEncryptStream } from './encrypt-stream.js';
import { IntegrityError, PlaintextLengthError } from './errors.js';
import { FLAG_LENGTH_IN_RECORD, HEADER_SIZE, TAG_SIZE, decodeHeader, encryptedSize, etagFromHeader, sha256 } from './format/gwse.js';
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

describe('createEncryptStream without a declared length', () => {
  const undeclared = { segmentSizeLog2: 12, plaintextLength: null };

  it('writes the same layout as a declared length, with the length left to the record', async () => {
    for (const size of [0, 1, S - 1, S, S + 1, 2 * S, 3 * S + 7]) {
      const plaintext = patternBytes(size);
      const { file, enc } = await encryptToBuffer(plaintext, undeclared);
      const header = decodeHeader(enc.header);
      expect(header.plaintextLength).toBeNull();
      expect(enc.header[7]).toBe(FLAG_LENGTH_IN_RECORD);
      expect(enc.plaintextLength).toBe(size);
      expect(file.length).toBe(encryptedSize(size, S));
      expect(enc.ciphertextLength).toBe(file.length);
      const back = await readThroughGetPath(file, { expectedPlaintextLength: size });
      expect(back.error).toBeNull();
      expect(back.emitted.equals(plaintext)).toBe(true);
      // Without the record's length the file does not open.
      const blind = await readThroughGetPath(file);
      expect(blind.error).toBeInstanceOf(IntegrityError);
      expect(blind.opened).toBe(false);
    }
  });

  it('differs from the declared-length file only in the header and, through the AAD, the tags', async () => {
    const fixed = { segmentSizeLog2: 12, salt: Buffer.alloc(32, 7), noncePrefix: Buffer.alloc(7, 9) };
    const plaintext = patternBytes(2 * S);
    const declared = (await encryptToBuffer(plaintext, fixed)).file;
    const streamed = (await encryptToBuffer(plaintext, { ...fixed, plaintextLength: null })).file;
    expect(streamed.length).toBe(declared.length);
    for (let i = 0; i < 2; i++) {
      const start = HEADER_SIZE + i * (S + TAG_SIZE);
      const ciphertext = (f: Buffer): Buffer => f.subarray(start, start + S);
      const tag = (f: Buffer): Buffer => f.subarray(start + S, start + S + TAG_SIZE);
      expect(ciphertext(streamed).equals(ciphertext(declared))).toBe(true); // same key and nonce, final flag included
      expect(tag(streamed).equals(tag(declared))).toBe(false);
    }
  });

  it('gives the same bytes whatever the input chunking', async () => {
    const fixed = { ...undeclared, salt: Buffer.alloc(32, 7), noncePrefix: Buffer.alloc(7, 9) };
    for (const size of [S, 3 * S + 7]) {
      const plaintext = patternBytes(size);
      const reference = (await encryptToBuffer(plaintext, fixed, plaintext.length)).file;
      for (const chunk of [1, 15, 4095, 4096, 4097, 10000]) {
        expect((await encryptToBuffer(plaintext, fixed, chunk)).file.equals(reference)).toBe(true);
      }
    }
  });

  it('holds at most one segment of output back, and emits nothing of it unsealed', async () => {
    const enc = createEncryptStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, ...undeclared });
    const emitted: Buffer[] = [];
    enc.transform.on('data', (c: Buffer) => emitted.push(c));
    enc.transform.write(patternBytes(S)); // a full segment: final or not is still open
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(emitted).length).toBe(HEADER_SIZE);
    enc.transform.write(Buffer.alloc(1)); // now it is not the last
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(emitted).length).toBe(HEADER_SIZE + S + TAG_SIZE);
    expect(() => enc.plaintextLength).toThrow(/once it has ended/);
    enc.transform.destroy();
  });

  it('zeroes its content key and held plaintext when it ends or is destroyed', async () => {
    const state = (t: unknown): { contentKey: Buffer; held: Buffer } => t as { contentKey: Buffer; held: Buffer };
    const done = createEncryptStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, plaintextLength: null });
    await pipeline(Readable.from([patternBytes(100)], { objectMode: false }), done.transform, new Writable({ write(_c, _e, cb) { cb(); } }));
    expect(state(done.transform).contentKey.equals(Buffer.alloc(32))).toBe(true);
    expect(state(done.transform).held.equals(Buffer.alloc(state(done.transform).held.length))).toBe(true);

    const aborted = createEncryptStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, plaintextLength: null });
    aborted.transform.write(Buffer.alloc(10, 0xaa));
    await new Promise((resolve) => setImmediate(resolve));
    expect(state(aborted.transform).held.includes(0xaa)).toBe(true);
    aborted.transform.destroy();
    expect(state(aborted.transform).contentKey.equals(Buffer.alloc(32))).toBe(true);
    expect(state(aborted.transform).held.includes(0xaa)).toBe(false);
  });
});
