import { describe, expect, it } from '@jest/globals';
import { hkdfSync, randomBytes } from 'node:crypto';
import { hkdfSha256Key, hkdfSha256Keys } from './hkdf.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('hkdfSha256Key', () => {
  // RFC 5869 appendix A.1 and A.3; a 32-byte OKM is the first 32 bytes of the listed one.
  it('matches the RFC 5869 SHA-256 vectors', () => {
    const ikm = Buffer.alloc(22, 0x0b);
    expect(hkdfSha256Key(ikm, hex('000102030405060708090a0b0c'), hex('f0f1f2f3f4f5f6f7f8f9')).toString('hex')).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf',
    );
    expect(hkdfSha256Key(ikm, Buffer.alloc(0), Buffer.alloc(0)).toString('hex')).toBe(
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d',
    );
  });

  it('gives the bytes of node:crypto hkdfSync, with and without a salt', () => {
    for (let i = 0; i < 200; i++) {
      const ikm = randomBytes(32);
      const salt = i % 2 === 0 ? Buffer.alloc(0) : randomBytes(1 + (i % 64));
      const info = randomBytes(i % 90);
      expect(hkdfSha256Key(ikm, salt, info)).toEqual(Buffer.from(hkdfSync('sha256', ikm, salt, info, 32)));
    }
  });

  it('derives several keys from one extract, each as hkdfSync would alone', () => {
    for (let i = 0; i < 50; i++) {
      const ikm = randomBytes(32);
      const salt = randomBytes(i % 33);
      const infos = Array.from({ length: 1 + (i % 4) }, (_, j) => randomBytes(j * 7 + (i % 5)));
      expect(hkdfSha256Keys(ikm, salt, infos)).toEqual(infos.map((info) => Buffer.from(hkdfSync('sha256', ikm, salt, info, 32))));
    }
  });
});
