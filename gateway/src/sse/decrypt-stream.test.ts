import { describe, expect, it } from '@jest/globals';
import { PassThrough, Readable } from 'node:stream';
import { IntegrityError } from './errors.js';
import { openEncryptedObject, openPlaintextStream } from './decrypt-stream.js';
import { HEADER_SIZE, segmentFileOffset } from './format/gwse.js';
import { TEST_CONTEXT, TEST_DEK, chunkedSource, collect, encryptToBuffer } from './testing/streams.js';
import { patternBytes } from './testing/prng.js';

const S = 4096;

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('openPlaintextStream', () => {
  it('reads a whole object with one file read and a range with two exact ones', async () => {
    const plaintext = patternBytes(3 * S + 7);
    const { file, enc } = await encryptToBuffer(plaintext, { segmentSizeLog2: 12 });
    const reads: [number, number][] = [];
    const readFile = (start: number, end: number): Readable => {
      reads.push([start, end]);
      return chunkedSource(file.subarray(start, end));
    };
    const base = { dek: TEST_DEK, objectContext: TEST_CONTEXT, fileSize: file.length, expectedHeaderSha256: enc.headerSha256, readFile };
    expect((await collect(await openPlaintextStream(base))).equals(plaintext)).toBe(true);
    expect(reads).toEqual([[0, file.length]]);

    reads.length = 0;
    const body = await openPlaintextStream({ ...base, range: { start: S + 1, end: 2 * S } });
    expect((await collect(body)).equals(plaintext.subarray(S + 1, 2 * S + 1))).toBe(true);
    expect(reads).toEqual([[0, HEADER_SIZE], [segmentFileOffset(S, 1), segmentFileOffset(S, 3)]]);
  });

  it('resolves only once the first needed segment has verified', async () => {
    const plaintext = patternBytes(2 * S);
    const { file } = await encryptToBuffer(plaintext, { segmentSizeLog2: 12 });
    const source = new PassThrough();
    let resolved = false;
    const pending = openPlaintextStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, fileSize: file.length, readFile: () => source })
      .then((body) => { resolved = true; return body; });
    source.write(file.subarray(0, segmentFileOffset(S, 1) - 1)); // all but the last tag byte of segment 0
    await settle();
    expect(resolved).toBe(false);
    source.end(file.subarray(segmentFileOffset(S, 1) - 1));
    const body = await pending;
    expect((await collect(body)).equals(plaintext)).toBe(true);
  });

  it('rejects when the first segment fails, and does not resolve a stream that would emit it', async () => {
    const { file } = await encryptToBuffer(patternBytes(10), { segmentSizeLog2: 12 });
    file[HEADER_SIZE + 3] ^= 1;
    const opened = openPlaintextStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, fileSize: file.length, readFile: () => chunkedSource(file) });
    await expect(opened).rejects.toBeInstanceOf(IntegrityError);
  });

  it('passes a storage read error through unchanged', async () => {
    const { file } = await encryptToBuffer(patternBytes(3 * S), { segmentSizeLog2: 12 });
    const diskError = new Error('disk went away');
    const failing = (): Readable => Readable.from((async function* () {
      yield file.subarray(0, segmentFileOffset(S, 1) + 10);
      throw diskError;
    })(), { objectMode: false });
    const body = await openPlaintextStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, fileSize: file.length, readFile: failing });
    await expect(collect(body)).rejects.toBe(diskError);
  });

  it('holds back: without a consumer, only a few segments are read from storage', async () => {
    const segments = 64;
    const { file } = await encryptToBuffer(patternBytes(segments * S), { segmentSizeLog2: 12 });
    let served = 0;
    const source = new Readable({
      highWaterMark: S,
      read() {
        const chunk = file.subarray(served, served + 1024);
        served += chunk.length;
        this.push(chunk.length > 0 ? chunk : null);
      },
    });
    const body = await openPlaintextStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, fileSize: file.length, readFile: () => source });
    await settle();
    // Source buffer + decryptor's write buffer (16 KiB) + one held segment + one queued: far below 64 segments.
    expect(served).toBeLessThan(8 * (S + 16));
    expect((await collect(body)).equals(patternBytes(segments * S))).toBe(true);
  });
});

describe('openEncryptedObject', () => {
  it('hands its content key to one decrypt stream, which zeroes it when done', async () => {
    const plaintext = patternBytes(S + 5);
    const { file } = await encryptToBuffer(plaintext, { segmentSizeLog2: 12 });
    const object = openEncryptedObject({ dek: TEST_DEK, objectContext: TEST_CONTEXT, header: file.subarray(0, HEADER_SIZE), fileSize: file.length });
    expect(object.plaintextLength).toBe(S + 5);
    expect(object.segmentSize).toBe(S);
    const decryptor = object.createDecryptStream();
    expect(() => object.createDecryptStream()).toThrow(/already/);
    const key = (decryptor as unknown as { p: { contentKey: Buffer } }).p.contentKey;
    expect(key.equals(Buffer.alloc(32))).toBe(false);
    const out = await collect(chunkedSource(file.subarray(HEADER_SIZE)).pipe(decryptor));
    expect(out.equals(plaintext)).toBe(true);
    expect(key.equals(Buffer.alloc(32))).toBe(true);
  });

  it('checks the metadata’s plaintext length and part number against the header', async () => {
    const { file } = await encryptToBuffer(patternBytes(9), { segmentSizeLog2: 12, partNumber: 2 });
    const base = { dek: TEST_DEK, objectContext: TEST_CONTEXT, header: file.subarray(0, HEADER_SIZE), fileSize: file.length };
    expect(openEncryptedObject({ ...base, expectedPlaintextLength: 9, expectedPartNumber: 2 }).header.partNumber).toBe(2);
    expect(() => openEncryptedObject({ ...base, expectedPlaintextLength: 10 })).toThrow(IntegrityError);
    expect(() => openEncryptedObject({ ...base, expectedPartNumber: 1 })).toThrow(IntegrityError);
    expect(() => openEncryptedObject({ ...base, expectedHeaderSha256: 'zz' })).toThrow(IntegrityError);
  });
});
