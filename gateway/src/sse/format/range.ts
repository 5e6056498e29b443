/**
 * Range arithmetic over one GWSE stream. Pure; every offset the decryptor and the
 * storage read use comes from here, so this is the one place to get it right.
 *
 * Given P plaintext bytes in segments of S, and an inclusive plaintext range [a, b]
 * with 0 ≤ a ≤ b < P (or the whole stream, which for P = 0 is the one empty segment):
 *
 * 1. i0 = floor(a / S), i1 = floor(b / S)
 * 2. read file bytes [96 + i0·(S+16), min(96 + (i1+1)·(S+16), fileSize))
 *    — the min matters only for the last segment, which may be short.
 * 3. decrypt segments i0 … i1, segment i final iff i = N−1
 * 4. skip a − i0·S plaintext bytes of segment i0, then emit b − a + 1 bytes.
 */
import { HEADER_SIZE, TAG_SIZE, encryptedSize, segmentCount, segmentFileOffset, segmentPlaintextSize } from './gwse.js';

/** An inclusive plaintext byte range, as in an HTTP Range header after resolution. */
export interface PlaintextRange {
  readonly start: number;
  readonly end: number;
}

export interface SegmentPlan {
  /** Total segments in the stream (N). */
  readonly segmentCount: number;
  readonly firstSegment: number;
  readonly lastSegment: number;
  /** File bytes to read: [fileStart, fileEnd). */
  readonly fileStart: number;
  readonly fileEnd: number;
  /** Plaintext bytes to drop from the start of the first decrypted segment. */
  readonly skip: number;
  /** Plaintext bytes to emit in total. */
  readonly length: number;
}

/**
 * Plans the read for `range`, or the whole stream when it is omitted. A range outside
 * [0, P) is a caller bug (the gateway answers 416 before getting here): RangeError.
 */
export function planRange(plaintextLength: number, segmentSize: number, range?: PlaintextRange): SegmentPlan {
  const n = segmentCount(plaintextLength, segmentSize);
  const fileSize = encryptedSize(plaintextLength, segmentSize);
  if (range === undefined) {
    return { segmentCount: n, firstSegment: 0, lastSegment: n - 1, fileStart: HEADER_SIZE, fileEnd: fileSize, skip: 0, length: plaintextLength };
  }
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end >= plaintextLength) {
    throw new RangeError(`range ${start}-${end} is not within ${plaintextLength} bytes`);
  }
  const firstSegment = Math.floor(start / segmentSize);
  const lastSegment = Math.floor(end / segmentSize);
  return {
    segmentCount: n,
    firstSegment,
    lastSegment,
    fileStart: segmentFileOffset(segmentSize, firstSegment),
    fileEnd: Math.min(segmentFileOffset(segmentSize, lastSegment + 1), fileSize),
    skip: start - firstSegment * segmentSize,
    length: end - start + 1,
  };
}

/** Sealed (ciphertext + tag) size of segment `index`. */
export function sealedSegmentSize(plaintextLength: number, segmentSize: number, index: number): number {
  return segmentPlaintextSize(plaintextLength, segmentSize, index) + TAG_SIZE;
}
