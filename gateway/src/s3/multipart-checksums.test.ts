import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createChecksum } from '../checksums/index.js';
import { objectChecksumsOf } from './multipart-checksums.js';

const crc64nvme = (data: Buffer): string => {
  const hasher = createChecksum('CRC64NVME');
  hasher.update(data);
  return hasher.digestBase64();
};

describe('objectChecksumsOf for an upload created without an algorithm', () => {
  const none = { checksumAlgorithm: null, checksumType: null } as const;
  const pieces = [randomBytes(1000), randomBytes(17), randomBytes(4096)];

  it('gives the object the CRC64NVME combined from the parts\' kept ones, and the parts none of their own', () => {
    const parts = pieces.map((p) => ({ plaintextSize: p.length, checksums: {}, defaultCrc64nvme: crc64nvme(p) }));
    const result = objectChecksumsOf(none, parts, {});
    expect(result.object).toEqual({ CRC64NVME: crc64nvme(Buffer.concat(pieces)) });
    expect(result.partChecksums(parts[0])).toEqual({});
  });

  it('gives no checksum when a part kept none (uploaded before parts kept one)', () => {
    const parts = pieces.map((p, i) => ({ plaintextSize: p.length, checksums: {}, ...(i === 1 ? {} : { defaultCrc64nvme: crc64nvme(p) }) }));
    expect(objectChecksumsOf(none, parts, {}).object).toEqual({});
  });
});
