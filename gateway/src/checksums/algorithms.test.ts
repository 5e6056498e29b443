import { describe, it, expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import {
  algorithmFromHeaderName,
  checksumHeaderName,
  createChecksum,
  isValidChecksumValue,
  type ChecksumAlgorithm,
} from './algorithms.js';

const CHECK = Buffer.from('123456789');

function digestHex(alg: ChecksumAlgorithm, ...parts: Buffer[]): string {
  const h = createChecksum(alg);
  for (const p of parts) h.update(p);
  return Buffer.from(h.digestBase64(), 'base64').toString('hex');
}

describe('checksum algorithms', () => {
  it('match the published check values for "123456789"', () => {
    expect(digestHex('CRC32', CHECK)).toBe('cbf43926');
    expect(digestHex('CRC32C', CHECK)).toBe('e3069283');
    expect(digestHex('CRC64NVME', CHECK)).toBe('ae8b14860a799888');
    expect(digestHex('SHA1', CHECK)).toBe('f7c3bc1d808e04732adf679965ccc34ca7ae3441');
    expect(digestHex('SHA256', CHECK)).toBe('15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225');
  });

  it('give the values S3 shows for an empty body', () => {
    const b64 = (alg: ChecksumAlgorithm) => createChecksum(alg).digestBase64();
    expect(b64('CRC32')).toBe('AAAAAA==');
    expect(b64('CRC32C')).toBe('AAAAAA==');
    expect(b64('CRC64NVME')).toBe('AAAAAAAAAAA=');
    expect(b64('SHA256')).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });

  it('are independent of how the input is split', () => {
    const data = randomBytes(1000);
    for (const alg of ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const) {
      const whole = digestHex(alg, data);
      const pieces = [data.subarray(0, 1), data.subarray(1, 13), data.subarray(13, 512), data.subarray(512)];
      expect(digestHex(alg, ...pieces)).toBe(whole);
    }
  });

  it('CRC64NVME agrees with the AWS SDK implementation on random data of many lengths', async () => {
    for (const len of [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1023, 4096 + 3]) {
      const data = randomBytes(len);
      const reference = new Crc64Nvme();
      reference.update(data);
      const expected = Buffer.from(await reference.digest()).toString('hex');
      expect(digestHex('CRC64NVME', data)).toBe(expected);
    }
  });

  it('maps header names both ways and ignores unknown ones', () => {
    expect(checksumHeaderName('CRC64NVME')).toBe('x-amz-checksum-crc64nvme');
    expect(algorithmFromHeaderName('X-Amz-Checksum-CRC32C')).toBe('CRC32C');
    expect(algorithmFromHeaderName('x-amz-checksum-mode')).toBeUndefined();
    expect(algorithmFromHeaderName('x-amz-checksum-sha512')).toBeUndefined();
  });

  it('accepts only canonical base64 of the digest size', () => {
    expect(isValidChecksumValue('CRC32', 'yqgtYQ==')).toBe(true);
    expect(isValidChecksumValue('CRC32', 'yqgtYQ')).toBe(false);
    expect(isValidChecksumValue('CRC32', 'yqgtYR==')).toBe(false); // non-zero padding bits
    expect(isValidChecksumValue('CRC32', 'AAAAAAAA')).toBe(false); // 6 bytes
    expect(isValidChecksumValue('CRC32', 'not b64!')).toBe(false);
    expect(isValidChecksumValue('SHA256', '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')).toBe(true);
    expect(isValidChecksumValue('SHA1', '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')).toBe(false);
  });
});
