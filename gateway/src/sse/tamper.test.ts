/**
 * Tamper suite: every edit of the stored bytes must fail closed — refused before any
 * plaintext (open / first segment) or erroring the stream before the bad segment's
 * plaintext, with everything emitted before the error a correct prefix. Every case runs
 * twice: streamed, as a large object is read, and whole from memory, as a small object is.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { IntegrityError } from './errors.js';
import { HEADER_SIZE, TAG_SIZE, encryptedSize, segmentFileOffset } from './format/gwse.js';
import type { PlaintextRange } from './format/range.js';
import { canonicalEncryptionContext } from './context.js';
import { TEST_CONTEXT, TEST_DEK, encryptToBuffer, readThroughGetPath } from './testing/streams.js';
import { seededPrng } from './testing/prng.js';

const S = 4096;
const P = 3 * S + 7; // four segments, the last one short
const SEALED = S + TAG_SIZE;
const prng = seededPrng(0xdecaf);
const plaintext = Buffer.from(Array.from({ length: P }, () => prng.int(0, 255)));

async function encrypt(opts: { objectContext?: Buffer; partNumber?: number; plaintextLength?: null } = {}): Promise<{ file: Buffer; headerSha256: string }> {
  const { file, enc } = await encryptToBuffer(plaintext, { segmentSizeLog2: 12, ...opts });
  return { file, headerSha256: enc.headerSha256 };
}

type ReadOptions = Parameters<typeof readThroughGetPath>[1];

/** Set by the enclosing describe: which of the two read paths the cases below go through. */
let inMemory = false;
const readBack = (file: Buffer, opts: ReadOptions = {}): ReturnType<typeof readThroughGetPath> => readThroughGetPath(file, { ...opts, inMemory });

/** `badSegment` undefined: must be refused before any plaintext. Otherwise: nothing from that segment on. */
async function expectFailsClosed(file: Buffer, badSegment: number | undefined, opts: ReadOptions = {}): Promise<void> {
  const outcome = await readBack(file, opts);
  expect(outcome.error).toBeInstanceOf(IntegrityError);
  const range: PlaintextRange = opts?.range ?? { start: 0, end: P - 1 };
  const truth = plaintext.subarray(range.start, range.end + 1);
  expect(truth.subarray(0, outcome.emitted.length).equals(outcome.emitted)).toBe(true);
  const firstSegment = Math.floor(range.start / S);
  if (badSegment === undefined || badSegment === firstSegment) {
    expect(outcome.opened).toBe(false);
    expect(outcome.emitted.length).toBe(0);
  } else {
    expect(outcome.emitted.length).toBeLessThanOrEqual(badSegment * S - range.start);
  }
}

function flip(file: Buffer, at: number, mask = 0x01): Buffer {
  const copy = Buffer.from(file);
  copy[at] ^= mask;
  return copy;
}

function segmentBytes(file: Buffer, i: number): Buffer {
  return file.subarray(segmentFileOffset(S, i), Math.min(segmentFileOffset(S, i + 1), file.length));
}

describe.each([['streamed', false], ['whole from memory', true]])('read %s', (_name, mode) => {
  beforeAll(() => {
    inMemory = mode as boolean;
  });

  describe('tampering with a GWSE file', () => {
    it('reads the untouched file back (the control)', async () => {
      const { file } = await encrypt();
      const outcome = await readBack(file);
      expect(outcome.error).toBeNull();
      expect(outcome.emitted.equals(plaintext)).toBe(true);
    });

    it('refuses every header byte flipped, before any plaintext', async () => {
      const { file, headerSha256 } = await encrypt();
      for (let at = 0; at < HEADER_SIZE; at++) {
        for (const mask of [0x01, 0x80]) {
          await expectFailsClosed(flip(file, at, mask), undefined);
          await expectFailsClosed(flip(file, at, mask), undefined, { expectedHeaderSha256: headerSha256 });
        }
      }
    });

    it('stops before a segment whose ciphertext or tag was flipped', async () => {
      const { file } = await encrypt();
      for (let i = 0; i < 4; i++) {
        const start = segmentFileOffset(S, i);
        const plainLen = i < 3 ? S : 7;
        const targets = [start, start + (plainLen >> 1), start + plainLen - 1, start + plainLen, start + plainLen + TAG_SIZE - 1];
        for (const at of targets) await expectFailsClosed(flip(file, at), i);
      }
    });

    it('refuses truncation and appending by size, and catches them in the stream when the size lies', async () => {
      const { file } = await encrypt();
      const cuts = [segmentFileOffset(S, 1), segmentFileOffset(S, 3), segmentFileOffset(S, 2) + 100, file.length - 1, file.length - TAG_SIZE - 7];
      for (const cut of cuts) {
        const short = file.subarray(0, cut);
        await expectFailsClosed(short, undefined);
        const firstIncomplete = Math.floor((cut - HEADER_SIZE) / SEALED);
        await expectFailsClosed(short, firstIncomplete, { fileSize: file.length });
      }
      // Drop the final segment.
      await expectFailsClosed(file.subarray(0, segmentFileOffset(S, 3)), 3, { fileSize: file.length });
      // Append a byte, or a whole copy of a segment.
      for (const extra of [Buffer.from([0]), segmentBytes(file, 1)]) {
        const longer = Buffer.concat([file, extra]);
        await expectFailsClosed(longer, undefined);
        await expectFailsClosed(longer, 4, { fileSize: longer.length - extra.length, ignoreReadEnd: true });
      }
    });

    it('stops at the first of two swapped or duplicated segments', async () => {
      const { file } = await encrypt();
      const swapped = (a: number, b: number): Buffer => {
        const copy = Buffer.from(file);
        segmentBytes(file, a).copy(copy, segmentFileOffset(S, b));
        segmentBytes(file, b).copy(copy, segmentFileOffset(S, a));
        return copy;
      };
      await expectFailsClosed(swapped(0, 1), 0);
      await expectFailsClosed(swapped(1, 2), 1);
      const duplicated = Buffer.from(file);
      segmentBytes(file, 1).copy(duplicated, segmentFileOffset(S, 2));
      await expectFailsClosed(duplicated, 2);
    });

    it('refuses another object’s file or segments under the same DEK', async () => {
      const a = await encrypt();
      const otherContext = await encrypt({ objectContext: canonicalEncryptionContext({ 'aws:s3:arn': 'arn:aws:s3:::test-bucket/other' }) });
      await expectFailsClosed(otherContext.file, undefined); // read with A's context
      const sameContextNewSalt = await encrypt();
      // Self-consistent file of the same object name: only the metadata's header hash binds it.
      await expectFailsClosed(sameContextNewSalt.file, undefined, { expectedHeaderSha256: a.headerSha256 });
      for (const source of [otherContext.file, sameContextNewSalt.file]) {
        const spliced = Buffer.from(a.file);
        segmentBytes(source, 2).copy(spliced, segmentFileOffset(S, 2));
        await expectFailsClosed(spliced, 2);
      }
    });

    it('refuses a part file read as another part, and segments swapped between parts', async () => {
      const part3 = await encrypt({ partNumber: 3 });
      const part4 = await encrypt({ partNumber: 4 });
      await expectFailsClosed(part3.file, undefined, { expectedPartNumber: 4 });
      const spliced = Buffer.from(part4.file);
      segmentBytes(part3.file, 1).copy(spliced, segmentFileOffset(S, 1));
      await expectFailsClosed(spliced, 1);
    });

    it('refuses header edits even when the file size is made to agree', async () => {
      const { file } = await encrypt();
      const shorter = Buffer.from(file.subarray(0, file.length - 1));
      shorter.writeBigUInt64BE(BigInt(P - 1), 8);
      await expectFailsClosed(shorter, undefined);

      const asPart = Buffer.from(file);
      asPart[7] = 1;
      asPart.writeUInt32BE(1, 16);
      await expectFailsClosed(asPart, undefined);

      // segmentSizeLog2 12 → 13: two segments of 8 KiB, so 32 fewer tag bytes.
      const resized = Buffer.from(file.subarray(0, file.length - 2 * TAG_SIZE));
      resized[6] = 13;
      await expectFailsClosed(resized, undefined);
    });

    it('refuses a wrong DEK or a wrong context before any plaintext', async () => {
      const { file } = await encrypt();
      const wrongDek = Buffer.from(TEST_DEK);
      wrongDek[31] ^= 1;
      await expectFailsClosed(file, undefined, { dek: wrongDek });
      const wrongContext = Buffer.from(TEST_CONTEXT.toString('utf8').replace('tests', 'tesst'));
      await expectFailsClosed(file, undefined, { objectContext: wrongContext });
    });

    it('fails closed on range reads that cover a tampered segment', async () => {
      const { file } = await encrypt();
      const bad = flip(file, segmentFileOffset(S, 2) + 10);
      await expectFailsClosed(bad, 2, { range: { start: S + 5, end: 3 * S + 3 } });
      await expectFailsClosed(bad, 2, { range: { start: 2 * S + 100, end: 2 * S + 200 } });
      const untouched = await readBack(bad, { range: { start: 5, end: 2 * S - 1 } });
      expect(untouched.error).toBeNull(); // segments outside the range are not read
      expect(untouched.emitted.equals(plaintext.subarray(5, 2 * S))).toBe(true);
    });
  });

  describe('tampering with a file whose length is in the record (no declared length)', () => {
    // The header's length field is 0; every read is given the record's length, as GetObject does.
    const undeclared = (): ReturnType<typeof encrypt> => encrypt({ plaintextLength: null });
    const recorded = (p: number, more: ReadOptions = {}): ReadOptions => ({ expectedPlaintextLength: p, ...more });
    const sizeFor = (p: number): number => encryptedSize(p, S);

    it('reads back with the recorded length (the control), and not without one', async () => {
      const { file, headerSha256 } = await undeclared();
      const outcome = await readBack(file, recorded(P, { expectedHeaderSha256: headerSha256 }));
      expect(outcome.error).toBeNull();
      expect(outcome.emitted.equals(plaintext)).toBe(true);
      await expectFailsClosed(file, undefined);
    });

    it('refuses every header byte flipped, before any plaintext', async () => {
      const { file, headerSha256 } = await undeclared();
      for (let at = 0; at < HEADER_SIZE; at++) {
        for (const mask of [0x01, 0x02, 0x80]) {
          await expectFailsClosed(flip(file, at, mask), undefined, recorded(P));
          await expectFailsClosed(flip(file, at, mask), undefined, recorded(P, { expectedHeaderSha256: headerSha256 }));
        }
      }
    });

    it('refuses truncation at every segment boundary, even when the recorded length is made to agree', async () => {
      const { file } = await undeclared();
      for (let k = 1; k <= 3; k++) {
        const short = file.subarray(0, segmentFileOffset(S, k)); // segments 0 … k−1 kept whole
        await expectFailsClosed(short, undefined, recorded(P)); // 96 + P + 16·N against the record
        // A record claiming k·S bytes fits the short file's size; its last segment was sealed
        // with final = 0, so the tag refuses it: the final flag ends the stream, not a length.
        expect(short.length).toBe(sizeFor(k * S));
        await expectFailsClosed(short, k - 1, recorded(k * S));
        await expectFailsClosed(short, k - 1, recorded(k * S, { range: { start: (k - 1) * S, end: k * S - 1 } }));
      }
      // Inside a segment, and storage lying about the size.
      for (const cut of [segmentFileOffset(S, 2) + 100, file.length - 1]) {
        await expectFailsClosed(file.subarray(0, cut), undefined, recorded(P));
        await expectFailsClosed(file.subarray(0, cut), Math.floor((cut - HEADER_SIZE) / SEALED), recorded(P, { fileSize: file.length }));
      }
    });

    it('refuses appending, even when the recorded length is made to agree', async () => {
      const { file } = await undeclared();
      const oneByte = Buffer.concat([file, Buffer.from([0])]);
      await expectFailsClosed(oneByte, undefined, recorded(P));
      await expectFailsClosed(oneByte, 3, recorded(P + 1)); // the last segment grows by a byte
      const extraSegment = Buffer.concat([file.subarray(0, segmentFileOffset(S, 3)), segmentBytes(file, 1), segmentBytes(file, 3)]);
      expect(extraSegment.length).toBe(sizeFor(P + S));
      await expectFailsClosed(extraSegment, 3, recorded(P + S)); // segment 1's bytes at index 3
    });

    it('refuses a recorded length that differs from what was written', async () => {
      const { file } = await undeclared();
      for (const p of [P - 1, P + 1, 3 * S, 0]) await expectFailsClosed(file, undefined, recorded(p));
      await expectFailsClosed(file.subarray(0, file.length - 1), 3, recorded(P - 1));
    });

    it('stops at swapped segments, and refuses another write’s file', async () => {
      const a = await undeclared();
      const swapped = Buffer.from(a.file);
      segmentBytes(a.file, 2).copy(swapped, segmentFileOffset(S, 1));
      segmentBytes(a.file, 1).copy(swapped, segmentFileOffset(S, 2));
      await expectFailsClosed(swapped, 1, recorded(P));
      const b = await undeclared();
      await expectFailsClosed(b.file, undefined, recorded(P, { expectedHeaderSha256: a.headerSha256 }));
      const spliced = Buffer.from(a.file);
      segmentBytes(b.file, 2).copy(spliced, segmentFileOffset(S, 2));
      await expectFailsClosed(spliced, 2, recorded(P));
    });

    it('refuses the flag turned on or off, with the length moved to match', async () => {
      const deferred = await undeclared();
      const declared = Buffer.from(deferred.file);
      declared[7] = 0;
      declared.writeBigUInt64BE(BigInt(P), 8);
      await expectFailsClosed(declared, undefined, recorded(P));
      await expectFailsClosed(declared, undefined);

      const withLength = await encrypt();
      const cleared = Buffer.from(withLength.file);
      cleared[7] = 0x02;
      cleared.writeBigUInt64BE(0n, 8);
      await expectFailsClosed(cleared, undefined, recorded(P));
    });
  });

  describe('range reads', () => {
    it('equal the plaintext oracle for many ranges and chunkings', async () => {
      const { file } = await encrypt();
      const rng = seededPrng(42);
      const edges = [0, 1, S - 1, S, S + 1, 2 * S, 3 * S - 1, 3 * S, P - 1];
      for (let r = 0; r < 150; r++) {
        const pick = (): number => (rng.next() < 0.5 ? edges[rng.int(0, edges.length - 1)] : rng.int(0, P - 1));
        let start = pick();
        let end = pick();
        if (start > end) [start, end] = [end, start];
        const chunkSize = [1000, 4112, 16, 65536][r % 4];
        const outcome = await readBack(file, { range: { start, end }, chunkSize });
        const ok = outcome.error === null && outcome.emitted.equals(plaintext.subarray(start, end + 1));
        expect({ start, end, chunkSize, ok }).toEqual({ start, end, chunkSize, ok: true });
      }
    });
  });
});
