import { describe, expect, it } from '@jest/globals';
import { decodeDirSummary, encodeDirSummary, type DirSummary } from './listing-summary.js';

const summary: DirSummary = {
  generation: 2 ** 40 + 3,
  dir: 'dpho%C3%A9tos/c' + 'x'.repeat(64),
  entries: new Map([
    ['oa', { size: 0, etag: 'e'.repeat(32), lastModified: new Date(Date.UTC(2024, 0, 1)), storageClass: 'STANDARD' }],
    ['o%E2%82%AC', { size: Number.MAX_SAFE_INTEGER, etag: 'f'.repeat(32) + '-3', lastModified: new Date(1), storageClass: 'GLACIER', checksumAlgorithm: 'CRC64NVME', checksumType: 'FULL_OBJECT' }],
    ['o', { size: 5, etag: 'ü'.repeat(256), lastModified: new Date(-1000), storageClass: 'STANDARD', checksumType: 'COMPOSITE' }],
  ]),
};

describe('listing summary encoding', () => {
  it('decodes what it encodes, optional fields included', () => {
    expect(decodeDirSummary(encodeDirSummary(summary))).toEqual(summary);
    const empty = { generation: 0, dir: '', entries: new Map() };
    expect(decodeDirSummary(encodeDirSummary(empty))).toEqual(empty);
  });

  it('decodes any damage as null: a flipped bit anywhere, a cut, a byte added', () => {
    const bytes = encodeDirSummary(summary);
    for (let at = 0; at < bytes.length; at++) {
      const damaged = Buffer.from(bytes);
      damaged[at] ^= 0x10;
      expect(decodeDirSummary(damaged)).toBeNull();
    }
    for (let length = 0; length < bytes.length; length++) expect(decodeDirSummary(bytes.subarray(0, length))).toBeNull();
    expect(decodeDirSummary(Buffer.concat([bytes, Buffer.from([0])]))).toBeNull();
  });
});
