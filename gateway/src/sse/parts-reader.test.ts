import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { StoredObject } from '@kmsgate/storage';
import { IntegrityError } from './errors.js';
import { MULTIPART_METADATA_VERSION, parseMetadata, sealMetadata, verifyMetadataMac, type PartEntry, type UnsealedObjectMetadata } from './metadata.js';
import { openPartsPlaintext } from './parts-reader.js';
import { TEST_DEK, collect, encryptToBuffer } from './testing/streams.js';
import { encryptedSize } from './format/gwse.js';

const CONTEXT = { 'aws:s3:arn': 'arn:aws:s3:::test-bucket/some/key', department: 'tests' };

/** A stored object over in-memory pieces; `opened` collects every read stream handed out. */
function storedOf(pieces: Buffer[], opened: Readable[] = []): StoredObject {
  return {
    metadata: Buffer.alloc(0),
    dataSize: pieces.reduce((s, p) => s + p.length, 0),
    pieces: pieces.map((p) => p.length),
    read: (range, piece = 0) => {
      const bytes = pieces[piece].subarray(range?.start ?? 0, (range?.end ?? pieces[piece].length - 1) + 1);
      // In small chunks, as a file is read: a reader nobody drains stops part-way, and stays open.
      const stream = Readable.from((function* () {
        for (let at = 0; at < bytes.length; at += 4096) yield bytes.subarray(at, at + 4096);
      })(), { objectMode: false });
      opened.push(stream);
      return stream;
    },
    close: async () => {},
  };
}

async function multipartObject(sizes: number[], partNumbers = sizes.map((_, i) => i + 1)) {
  const plaintexts = sizes.map((n) => randomBytes(n));
  const files: Buffer[] = [];
  const parts: PartEntry[] = [];
  for (const [i, plaintext] of plaintexts.entries()) {
    const { file, enc } = await encryptToBuffer(plaintext, { partNumber: partNumbers[i] });
    files.push(file);
    parts.push({ partNumber: partNumbers[i], plaintextSize: plaintext.length, headerSha256: enc.headerSha256, etag: enc.etag, checksums: {} });
  }
  const unsealed: UnsealedObjectMetadata = {
    metaVersion: MULTIPART_METADATA_VERSION, sse: 'aws:kms', kmsKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/1b4f3a9e-0000-4000-8000-000000000001',
    wrappedDek: 'AAAA', encryptionContext: CONTEXT, bucketKeyEnabled: false, algorithm: 'GWSE1-AES256GCM-HKDFSHA256-C', segmentSize: 65536,
    plaintextSize: sizes.reduce((a, b) => a + b, 0), ciphertextSize: sizes.reduce((a, b) => a + encryptedSize(b, 65536), 0), headerSha256: 'ab'.repeat(32),
    etag: `${'0'.repeat(32)}-${sizes.length}`, checksums: { CRC32: `AAAAAA==-${sizes.length}` }, contentType: 'x/y', userMetadata: {}, lastModified: '2024-05-01T12:00:00.000Z',
    storageClass: 'STANDARD', systemHeaders: {}, parts,
  };
  const meta = parseMetadata(sealMetadata(unsealed, TEST_DEK));
  return { plaintexts, files, meta: { ...meta, parts: meta.parts! }, unsealed };
}

describe('multipart objects', () => {
  it('reads the parts in order, whole and by ranges straddling boundaries', async () => {
    const { plaintexts, files, meta } = await multipartObject([70_000, 65_536, 10, 0 + 1], [1, 2, 5, 9]);
    const whole = Buffer.concat(plaintexts);
    expect((await collect(await openPartsPlaintext({ dek: TEST_DEK, meta, stored: storedOf(files), range: undefined }))).equals(whole)).toBe(true);
    for (const [start, end] of [[69_990, 70_010], [0, whole.length - 1], [135_530, 135_546], [135_536, 135_536]]) {
      const got = await collect(await openPartsPlaintext({ dek: TEST_DEK, meta, stored: storedOf(files), range: { start, end } }));
      expect(got.equals(whole.subarray(start, end + 1))).toBe(true);
    }
  });

  it('refuses parts swapped, dropped, or taken from another object', async () => {
    const { files, meta } = await multipartObject([1000, 2000]);
    await expect(openPartsPlaintext({ dek: TEST_DEK, meta, stored: storedOf([files[1], files[0]]), range: undefined })).rejects.toBeInstanceOf(IntegrityError);
    await expect(openPartsPlaintext({ dek: TEST_DEK, meta, stored: storedOf([files[0]]), range: undefined })).rejects.toBeInstanceOf(IntegrityError);
    const other = await multipartObject([1000, 2000]);
    const mixed = await openPartsPlaintext({ dek: TEST_DEK, meta, stored: storedOf([files[0], other.files[1]]), range: undefined });
    await expect(collect(mixed)).rejects.toBeInstanceOf(IntegrityError);
  });

  it('keeps the parts list under the MAC and checks it against the sizes and ETag', async () => {
    const { meta, unsealed } = await multipartObject([1000, 2000]);
    verifyMetadataMac(meta, TEST_DEK);
    const edited = { ...meta, parts: [meta.parts[0], { ...meta.parts[1], plaintextSize: 1999 }], plaintextSize: 2999, ciphertextSize: meta.ciphertextSize - 1 };
    expect(() => verifyMetadataMac(edited, TEST_DEK)).toThrow(IntegrityError);
    expect(() => sealMetadata({ ...unsealed, plaintextSize: 1 }, TEST_DEK)).toThrow(/sizes disagree/);
    expect(() => sealMetadata({ ...unsealed, parts: [unsealed.parts![1], unsealed.parts![0]] }, TEST_DEK)).toThrow(/ascend/);
    expect(() => sealMetadata({ ...unsealed, etag: `${'0'.repeat(32)}-3` }, TEST_DEK)).toThrow(/etag/);
    expect(() => sealMetadata({ ...unsealed, metaVersion: 2 }, TEST_DEK)).toThrow(IntegrityError);
    expect(() => sealMetadata({ ...unsealed, checksums: { CRC32: 'AAAAAA==-3' } }, TEST_DEK)).toThrow(/checksum/);
  });

  it('fails at a tampered segment of a later part (opened ahead) releasing nothing of it', async () => {
    const { plaintexts, files, meta } = await multipartObject([70_000, 200_000, 5_000]);
    const tampered = Buffer.from(files[1]);
    tampered[96 + 65_536 + 16 + 100] ^= 1; // inside segment 1 of part 2
    const out = await openPartsPlaintext({ dek: TEST_DEK, meta, stored: storedOf([files[0], tampered, files[2]]), range: undefined });
    const released: Buffer[] = [];
    const error = await new Promise<unknown>((resolve) => {
      out.on('data', (chunk: Buffer) => released.push(chunk));
      out.on('error', resolve);
      out.on('end', () => resolve(undefined));
    });
    expect(error).toBeInstanceOf(IntegrityError);
    // A prefix of what verified (a destroyed stream drops what it still buffered), never a byte of the bad segment.
    const got = Buffer.concat(released);
    const verified = Buffer.concat([plaintexts[0], plaintexts[1].subarray(0, 65_536)]);
    expect(got.length).toBeLessThanOrEqual(verified.length);
    expect(got.equals(verified.subarray(0, got.length))).toBe(true);
  });

  it('closes every part stream it opened, the one opened ahead too, when the output is destroyed early', async () => {
    const { files, meta } = await multipartObject([300_000, 300_000, 300_000]);
    const opened: Readable[] = [];
    const out = await openPartsPlaintext({ dek: TEST_DEK, meta, stored: storedOf(files, opened), range: undefined });
    await new Promise<void>((resolve) => out.once('data', () => resolve()));
    // The next part is being opened ahead by now: its file was asked for.
    expect(opened.length).toBe(2);
    out.destroy();
    // Each one closes (a stream left open would hang this test into its timeout).
    await Promise.all(opened.map((stream) => (stream.closed ? undefined : new Promise((resolve) => stream.once('close', resolve)))));
  });
});
