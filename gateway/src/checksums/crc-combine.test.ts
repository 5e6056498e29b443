import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createChecksum, type ChecksumAlgorithm } from './algorithms.js';
import { combineCrcs, isCombinable, type CombinableAlgorithm } from './crc-combine.js';

const crcOf = (algorithm: ChecksumAlgorithm, ...pieces: Buffer[]): string => {
  const hasher = createChecksum(algorithm);
  for (const piece of pieces) hasher.update(piece);
  return hasher.digestBase64();
};

describe('combineCrcs', () => {
  const algorithms: CombinableAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME'];

  it.each(algorithms)('%s of pieces equals the CRC of their concatenation, empty pieces included', (algorithm) => {
    const pieces = [randomBytes(1), Buffer.alloc(0), randomBytes(70_001), randomBytes(3), randomBytes(65_536)];
    const combined = combineCrcs(algorithm, pieces.map((p) => ({ base64: crcOf(algorithm, p), length: p.length })));
    expect(combined).toBe(crcOf(algorithm, ...pieces));
  });

  it.each(algorithms)('%s of one piece is that piece, and of none the empty CRC', (algorithm) => {
    const piece = randomBytes(1234);
    expect(combineCrcs(algorithm, [{ base64: crcOf(algorithm, piece), length: piece.length }])).toBe(crcOf(algorithm, piece));
    expect(combineCrcs(algorithm, [])).toBe(crcOf(algorithm));
  });

  it('knows which algorithms combine', () => {
    expect(['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'].map((a) => isCombinable(a as ChecksumAlgorithm))).toEqual([true, true, true, false, false]);
  });
});
