import { describe, expect, it } from '@jest/globals';
import { HEADER_SIZE, TAG_SIZE, encryptedSize, segmentCount } from './gwse.js';
import { planRange, sealedSegmentSize } from './range.js';
import type { PlaintextRange } from './range.js';
import { seededPrng } from '../testing/prng.js';

/**
 * Oracle: a stand-in "file" laid out like GWSE but with plaintext segments and marker
 * tags, so following a plan must give back exactly plaintext[a..b].
 */
function fakeFile(plaintext: Buffer, segmentSize: number): Buffer {
  const parts: Buffer[] = [Buffer.alloc(HEADER_SIZE, 0xaa)];
  const n = segmentCount(plaintext.length, segmentSize);
  for (let i = 0; i < n; i++) {
    parts.push(plaintext.subarray(i * segmentSize, Math.min((i + 1) * segmentSize, plaintext.length)));
    parts.push(Buffer.alloc(TAG_SIZE, 0xee));
  }
  return Buffer.concat(parts);
}

function followPlan(file: Buffer, plaintextLength: number, segmentSize: number, range?: PlaintextRange): Buffer {
  const plan = planRange(plaintextLength, segmentSize, range);
  expect(plan.fileEnd).toBeLessThanOrEqual(file.length);
  const read = file.subarray(plan.fileStart, plan.fileEnd);
  const plain: Buffer[] = [];
  let at = 0;
  for (let i = plan.firstSegment; i <= plan.lastSegment; i++) {
    const sealed = sealedSegmentSize(plaintextLength, segmentSize, i);
    expect(read.subarray(at + sealed - TAG_SIZE, at + sealed).every((b) => b === 0xee)).toBe(true);
    plain.push(read.subarray(at, at + sealed - TAG_SIZE));
    at += sealed;
  }
  expect(at).toBe(read.length); // reads exactly the needed segments, nothing more
  return Buffer.concat(plain).subarray(plan.skip, plan.skip + plan.length);
}

describe('planRange', () => {
  it('matches the worked example (P = 200,000, S = 64 KiB, bytes=70000-140000)', () => {
    expect(planRange(200_000, 65_536, { start: 70_000, end: 140_000 })).toEqual({
      segmentCount: 4, firstSegment: 1, lastSegment: 2, fileStart: 65_648, fileEnd: 196_752, skip: 4_464, length: 70_001,
    });
    expect(encryptedSize(200_000, 65_536)).toBe(200_160);
  });

  it('plans the whole of an empty stream as its one empty segment', () => {
    expect(planRange(0, 4096)).toEqual({ segmentCount: 1, firstSegment: 0, lastSegment: 0, fileStart: 96, fileEnd: 112, skip: 0, length: 0 });
  });

  it('rejects ranges outside the stream', () => {
    expect(() => planRange(10, 4096, { start: 0, end: 10 })).toThrow(RangeError);
    expect(() => planRange(10, 4096, { start: 5, end: 4 })).toThrow(RangeError);
    expect(() => planRange(10, 4096, { start: -1, end: 4 })).toThrow(RangeError);
    expect(() => planRange(0, 4096, { start: 0, end: 0 })).toThrow(RangeError);
  });

  it('agrees with the plaintext oracle for random sizes around segment boundaries and random ranges', () => {
    const prng = seededPrng(0x5eed);
    const segmentSize = 4096;
    let cases = 0;
    for (let round = 0; round < 120; round++) {
      const k = prng.int(0, 4);
      const size = Math.max(0, k * segmentSize + prng.int(-2, 2));
      const plaintext = Buffer.allocUnsafe(size);
      for (let i = 0; i < size; i++) plaintext[i] = prng.int(0, 255);
      const file = fakeFile(plaintext, segmentSize);
      expect(file.length).toBe(encryptedSize(size, segmentSize));
      expect(followPlan(file, size, segmentSize).equals(plaintext)).toBe(true);
      if (size === 0) continue;
      const edges = [0, 1, segmentSize - 1, segmentSize, segmentSize + 1, size - 1].filter((v) => v < size);
      for (let r = 0; r < 40; r++) {
        const pick = (): number => (prng.next() < 0.4 ? edges[prng.int(0, edges.length - 1)] : prng.int(0, size - 1));
        let start = pick();
        let end = pick();
        if (start > end) [start, end] = [end, start];
        const ok = followPlan(file, size, segmentSize, { start, end }).equals(plaintext.subarray(start, end + 1));
        expect({ size, start, end, ok }).toEqual({ size, start, end, ok: true }); // names the failing case
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(3000);
  });
});
