import { describe, expect, it } from '@jest/globals';
import { CorruptRecordError, decodeObjectRecord, encodeObjectRecord } from './object-record.js';

describe('object record', () => {
  const record = { dataName: '0a1b2c', dataSize: 2 ** 40 + 5, metadata: Buffer.from('meta\x00data') };

  it('round-trips and pins the byte layout', () => {
    const bytes = encodeObjectRecord(record);
    expect(bytes.toString('hex')).toBe(
      '4b474f52' + '01' + '06' + Buffer.from('0a1b2c').toString('hex') +
        '0000010000000005' + '00000009' + Buffer.from('meta\x00data').toString('hex'),
    );
    expect(decodeObjectRecord(bytes)).toEqual(record);
  });

  it('accepts empty metadata and empty data', () => {
    const empty = { dataName: 'ff', dataSize: 0, metadata: Buffer.alloc(0) };
    expect(decodeObjectRecord(encodeObjectRecord(empty))).toEqual(empty);
  });

  it('rejects truncation, trailing bytes, bad magic, version and names', () => {
    const bytes = encodeObjectRecord(record);
    expect(() => decodeObjectRecord(bytes.subarray(0, bytes.length - 1))).toThrow(CorruptRecordError);
    expect(() => decodeObjectRecord(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(CorruptRecordError);
    const badMagic = Buffer.from(bytes);
    badMagic[0] = 0;
    expect(() => decodeObjectRecord(badMagic)).toThrow(/magic/);
    const badVersion = Buffer.from(bytes);
    badVersion[4] = 2;
    expect(() => decodeObjectRecord(badVersion)).toThrow(/version/);
    const badName = Buffer.from(bytes);
    badName[6] = '/'.charCodeAt(0);
    expect(() => decodeObjectRecord(badName)).toThrow(/name/);
    expect(() => encodeObjectRecord({ ...record, dataName: '../x' })).toThrow(CorruptRecordError);
  });
});
