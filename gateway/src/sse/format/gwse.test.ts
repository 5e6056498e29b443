import { describe, expect, it } from '@jest/globals';
import { IntegrityError } from '../errors.js';
import {
  HEADER_SIZE, decodeHeader, encodeHeader, encryptedSize, etagFromHeader, segmentCount, segmentNonce,
} from './gwse.js';
import type { GwseHeader } from './gwse.js';

const base: GwseHeader = {
  segmentSizeLog2: 16,
  plaintextLength: 200_000,
  partNumber: 0,
  salt: Buffer.alloc(32, 0x11),
  noncePrefix: Buffer.alloc(7, 0x22),
  commitment: Buffer.alloc(32, 0x33),
};

function decodeError(buf: Buffer): string {
  try {
    decodeHeader(buf);
  } catch (err) {
    expect(err).toBeInstanceOf(IntegrityError);
    return (err as IntegrityError).reason;
  }
  throw new Error('decoded a header that should have been refused');
}

function edited(at: number, value: number): Buffer {
  const h = encodeHeader(base);
  h[at] = value;
  return h;
}

describe('GWSE header', () => {
  it('round-trips every field', () => {
    const part = { ...base, partNumber: 10000, plaintextLength: 5 * 2 ** 40, segmentSizeLog2: 20 };
    for (const h of [base, part]) {
      const buf = encodeHeader(h);
      expect(buf.length).toBe(HEADER_SIZE);
      expect(decodeHeader(buf)).toEqual(h);
    }
    expect(encodeHeader(base).subarray(0, 8).toString('hex')).toBe('4757534501011000');
    expect(encodeHeader({ ...base, partNumber: 7 })[7]).toBe(1);
  });

  it('encodes an undeclared length as flag bit 1 with a zero length field', () => {
    for (const h of [{ ...base, plaintextLength: null }, { ...base, plaintextLength: null, partNumber: 9 }]) {
      const buf = encodeHeader(h);
      expect(buf[7]).toBe(h.partNumber > 0 ? 0x03 : 0x02);
      expect(buf.readBigUInt64BE(8)).toBe(0n);
      expect(decodeHeader(buf)).toEqual(h);
    }
    const deferredPart = encodeHeader({ ...base, plaintextLength: null, partNumber: 9 });
    deferredPart[7] = 0x02; // part number without the multipart flag
    expect(decodeError(deferredPart)).toMatch(/multipart flag/);
  });

  it('refuses anything off', () => {
    expect(decodeError(encodeHeader(base).subarray(0, 95))).toMatch(/95 bytes/);
    expect(decodeError(edited(0, 0x67))).toBe('bad magic');
    expect(decodeError(edited(4, 2))).toMatch(/version 2/);
    expect(decodeError(edited(5, 2))).toMatch(/algorithm id 2/);
    expect(decodeError(edited(6, 11))).toMatch(/segment size/);
    expect(decodeError(edited(6, 21))).toMatch(/segment size/);
    expect(decodeError(edited(7, 4))).toMatch(/flags/);
    expect(decodeError(edited(7, 2))).toMatch(/carries a length/); // length-in-record, yet P ≠ 0
    expect(decodeError(edited(7, 1))).toMatch(/multipart flag/); // flag set, part number 0
    expect(decodeError(edited(19, 5))).toMatch(/multipart flag/); // part 5 without the flag
    expect(decodeError(edited(8, 0x01))).toMatch(/too large/); // 2^56 + …
    for (let i = 59; i < 64; i++) expect(decodeError(edited(i, 1))).toMatch(/reserved/);
    const bigPart = encodeHeader({ ...base, partNumber: 1 });
    bigPart.writeUInt32BE(10001, 16);
    expect(decodeError(bigPart)).toMatch(/part number/);
    const tooManySegments = encodeHeader({ ...base, segmentSizeLog2: 12 });
    tooManySegments.writeBigUInt64BE(BigInt(2 ** 44 + 1), 8);
    expect(decodeError(tooManySegments)).toMatch(/too many segments/);
  });

  it('sizes streams by the formula', () => {
    expect(segmentCount(0, 4096)).toBe(1);
    expect(segmentCount(4096, 4096)).toBe(1);
    expect(segmentCount(4097, 4096)).toBe(2);
    expect(encryptedSize(0, 4096)).toBe(112);
    expect(encryptedSize(3 * 4096 + 7, 4096)).toBe(96 + 3 * 4096 + 7 + 64);
  });

  it('puts index and final flag in the nonce', () => {
    const prefix = Buffer.from('a0a1a2a3a4a5a6', 'hex');
    expect(segmentNonce(prefix, 0, false).toString('hex')).toBe('a0a1a2a3a4a5a60000000000');
    expect(segmentNonce(prefix, 0x01020304, true).toString('hex')).toBe('a0a1a2a3a4a5a60102030401');
  });

  it('derives a 32-hex ETag that changes with any header byte', () => {
    const h = encodeHeader(base);
    const etag = etagFromHeader(h);
    expect(etag).toMatch(/^[0-9a-f]{32}$/);
    expect(etagFromHeader(edited(30, 0x12))).not.toBe(etag);
  });
});
