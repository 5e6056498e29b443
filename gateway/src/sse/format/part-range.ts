/**
 * Range arithmetic across the parts of a multipart object. Pure; the multipart reader takes
 * every part offset from here, and within a part planRange (range.ts) takes over.
 *
 * Given part plaintext sizes s_0 … s_{n−1} and their prefix sums o_0 = 0, o_{k+1} = o_k + s_k
 * (P = o_n), and an inclusive range [a, b] with 0 ≤ a ≤ b < P (or the whole object):
 *
 * 1. whole object: every part, each read whole (an empty part still opens, so its one empty
 *    final segment authenticates);
 * 2. otherwise parts k with o_k ≤ b and o_k + s_k > a (empty parts never qualify), in order;
 * 3. part k reads [max(a, o_k) − o_k, min(b, o_k + s_k − 1) − o_k] of its own plaintext.
 */
import type { PlaintextRange } from './range.js';

export interface PartSpan {
  /** Index into the parts list (not the part number). */
  readonly index: number;
  /** The part's own plaintext range; undefined = the whole part. */
  readonly range: PlaintextRange | undefined;
}

/** o_0 … o_n: where each part starts in the object, then the object's size. */
export function partOffsets(sizes: readonly number[]): number[] {
  const offsets = [0];
  for (const size of sizes) offsets.push(offsets[offsets.length - 1] + size);
  return offsets;
}

export function planPartRanges(sizes: readonly number[], range?: PlaintextRange): PartSpan[] {
  if (range === undefined) return sizes.map((_, index) => ({ index, range: undefined }));
  const offsets = partOffsets(sizes);
  const total = offsets[sizes.length];
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end >= total) {
    throw new RangeError(`range ${start}-${end} is not within ${total} bytes`);
  }
  const spans: PartSpan[] = [];
  for (const [index, size] of sizes.entries()) {
    const first = offsets[index];
    if (size === 0 || first > end || first + size <= start) continue;
    spans.push({ index, range: { start: Math.max(start, first) - first, end: Math.min(end, first + size - 1) - first } });
  }
  return spans;
}

/** The object range that part `index` covers (for GET ?partNumber=N); null for an empty part. */
export function rangeOfPart(sizes: readonly number[], index: number): PlaintextRange | null {
  const offsets = partOffsets(sizes);
  if (sizes[index] === 0) return null;
  return { start: offsets[index], end: offsets[index + 1] - 1 };
}
