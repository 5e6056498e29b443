import { describe, expect, it } from '@jest/globals';
import { partOffsets, planPartRanges, rangeOfPart } from './part-range.js';
import { seededPrng, patternBytes } from '../testing/prng.js';

/** Follows a plan over the parts as separate buffers: must give back object[a..b]. */
function followPlan(parts: Buffer[], range?: { start: number; end: number }): Buffer {
  return Buffer.concat(
    planPartRanges(parts.map((p) => p.length), range).map(({ index, range: r }) => (r ? parts[index].subarray(r.start, r.end + 1) : parts[index])),
  );
}

describe('range arithmetic across parts', () => {
  it('matches a plaintext oracle for random part sizes and ranges, many straddling parts', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = seededPrng(seed);
      const count = rng.int(1, 8);
      const sizes = Array.from({ length: count }, () => (rng.int(0, 5) === 0 ? 0 : rng.int(1, 300)));
      const object = patternBytes(sizes.reduce((a, b) => a + b, 0) + 7).subarray(7);
      const parts: Buffer[] = [];
      let at = 0;
      for (const size of sizes) {
        parts.push(object.subarray(at, at + size));
        at += size;
      }
      expect(followPlan(parts).equals(object)).toBe(true);
      if (object.length === 0) continue;
      for (let i = 0; i < 20; i++) {
        const start = rng.int(0, object.length - 1);
        const end = rng.int(start, object.length - 1);
        const spans = planPartRanges(sizes, { start, end });
        expect(followPlan(parts, { start, end }).equals(object.subarray(start, end + 1))).toBe(true);
        // Only parts that hold requested bytes are opened, each with a non-empty range.
        for (const span of spans) expect(span.range!.end).toBeGreaterThanOrEqual(span.range!.start);
      }
    }
  });

  it('maps a range straddling a boundary onto the tail of one part and the head of the next', () => {
    expect(planPartRanges([10, 10, 5], { start: 8, end: 11 })).toEqual([
      { index: 0, range: { start: 8, end: 9 } },
      { index: 1, range: { start: 0, end: 1 } },
    ]);
    expect(planPartRanges([10, 0, 5], { start: 9, end: 10 })).toEqual([
      { index: 0, range: { start: 9, end: 9 } },
      { index: 2, range: { start: 0, end: 0 } },
    ]);
  });

  it('gives each part its object range, and refuses ranges outside the object', () => {
    expect(partOffsets([3, 4, 5])).toEqual([0, 3, 7, 12]);
    expect(rangeOfPart([3, 4, 5], 1)).toEqual({ start: 3, end: 6 });
    expect(rangeOfPart([3, 0], 1)).toBeNull();
    expect(() => planPartRanges([3, 4], { start: 2, end: 7 })).toThrow(RangeError);
    expect(() => planPartRanges([3], { start: -1, end: 1 })).toThrow(RangeError);
  });
});
