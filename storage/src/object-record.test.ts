import { describe, expect, it } from '@jest/globals';
import { encodeListingEntry } from './listing-entry.js';
import { CorruptRecordError, decodeObjectRecord, decodeRecordHead, encodeObjectRecord, INLINE_MAX, recordLength } from './object-record.js';

describe('object record', () => {
  const listing = { size: 7, etag: 'e'.repeat(32), lastModified: new Date('2024-05-01T12:00:00.000Z'), storageClass: 'STANDARD', checksumAlgorithm: 'CRC32', checksumType: 'FULL_OBJECT' };
  const record = { files: [{ name: '0a1b2c', size: 2 ** 40 + 5 }], inline: null, metadata: Buffer.from('meta\x00data'), listing };

  it('round-trips and pins the byte layout', () => {
    const bytes = encodeObjectRecord(record);
    const entry = Buffer.from(
      `{"checksumAlgorithm":"CRC32","checksumType":"FULL_OBJECT","etag":"${'e'.repeat(32)}","lastModified":1714564800000,"size":7,"storageClass":"STANDARD"}`,
    );
    expect(bytes.toString('hex')).toBe(
      '4b474f52' + '02' + '06' + Buffer.from('0a1b2c').toString('hex') +
        '0000010000000005' + '00000009' + Buffer.from('meta\x00data').toString('hex') +
        entry.length.toString(16).padStart(8, '0') + entry.toString('hex'),
    );
    expect(decodeObjectRecord(bytes)).toEqual(record);
  });

  it('accepts empty metadata, empty data and no listing entry', () => {
    const empty = { files: [{ name: 'ff', size: 0 }], inline: null, metadata: Buffer.alloc(0), listing: null };
    expect(decodeObjectRecord(encodeObjectRecord(empty))).toEqual(empty);
  });

  it('still reads version 1 records, which carry no listing entry', () => {
    const v1 = Buffer.concat([
      Buffer.from('4b474f520106', 'hex'), Buffer.from('0a1b2c'), Buffer.from('0000000000000003', 'hex'),
      Buffer.from('00000002', 'hex'), Buffer.from('mm'),
    ]);
    expect(decodeObjectRecord(v1)).toEqual({ files: [{ name: '0a1b2c', size: 3 }], inline: null, metadata: Buffer.from('mm'), listing: null });
    expect(() => decodeObjectRecord(Buffer.concat([v1, Buffer.from([0])]))).toThrow(CorruptRecordError);
  });

  it('rejects truncation, trailing bytes, bad magic, version, names and listing entries', () => {
    const bytes = encodeObjectRecord(record);
    expect(() => decodeObjectRecord(bytes.subarray(0, bytes.length - 1))).toThrow(CorruptRecordError);
    expect(() => decodeObjectRecord(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(CorruptRecordError);
    const badMagic = Buffer.from(bytes);
    badMagic[0] = 0;
    expect(() => decodeObjectRecord(badMagic)).toThrow(/magic/);
    const badVersion = Buffer.from(bytes);
    badVersion[4] = 5;
    expect(() => decodeObjectRecord(badVersion)).toThrow(/version/);
    const badName = Buffer.from(bytes);
    badName[6] = '/'.charCodeAt(0);
    expect(() => decodeObjectRecord(badName)).toThrow(/name/);
    expect(() => encodeObjectRecord({ ...record, files: [{ name: '../x', size: 1 }] })).toThrow(CorruptRecordError);
    const badEntry = Buffer.from(bytes);
    badEntry[bytes.length - 2] = 'x'.charCodeAt(0);
    expect(() => decodeObjectRecord(badEntry)).toThrow(/listing entry/);
    expect(() => encodeObjectRecord({ ...record, listing: { ...listing, size: -1 } })).toThrow(RangeError);
  });

  it('names several data files in order (version 3), and refuses a v3 record of one or none', () => {
    const multi = { files: [{ name: 'aa', size: 5 }, { name: 'bb01', size: 0 }, { name: 'cc', size: 7 }], inline: null, metadata: Buffer.from('m'), listing };
    const bytes = encodeObjectRecord(multi);
    expect(bytes.subarray(4, 7).toString('hex')).toBe('030003');
    expect(decodeObjectRecord(bytes)).toEqual(multi);
    const one = Buffer.from(bytes);
    one[6] = 1;
    expect(() => decodeObjectRecord(one)).toThrow(CorruptRecordError);
    expect(() => decodeObjectRecord(bytes.subarray(0, bytes.length - 1))).toThrow(CorruptRecordError);
    expect(() => encodeObjectRecord({ ...multi, files: [] })).toThrow(RangeError);
  });

  describe('version 4: the data inline', () => {
    const data = Buffer.from('stored bytes');
    const inline = { files: [], inline: data, metadata: Buffer.from('mm'), listing };

    it('round-trips and pins the byte layout: the data last, each part after its length', () => {
      const bytes = encodeObjectRecord(inline);
      const entry = encodeListingEntry(listing);
      expect(bytes.toString('hex')).toBe(
        '4b474f52' + '04' + '00000002' + Buffer.from('mm').toString('hex') +
          entry.length.toString(16).padStart(8, '0') + entry.toString('hex') + '0000000c' + data.toString('hex'),
      );
      expect(decodeObjectRecord(bytes)).toEqual(inline);
      const empty = { ...inline, inline: Buffer.alloc(0), listing: null };
      expect(decodeObjectRecord(encodeObjectRecord(empty))).toEqual(empty);
    });

    it('tells from a prefix how much to read, and decodes the head alone or the whole file', () => {
      const bytes = encodeObjectRecord(inline);
      const head = recordLength(bytes.subarray(0, bytes.length - 5), false)!;
      expect(head).toBe(bytes.length - data.length);
      expect(recordLength(bytes.subarray(0, 40), false)).toBeNull(); // the listing entry's length is not in it
      expect(recordLength(bytes.subarray(0, head), true)).toBe(bytes.length);
      expect(recordLength(bytes.subarray(0, 8), false)).toBeNull();
      expect(recordLength(encodeObjectRecord(record), false)).toBeNull(); // v2: the whole file is its head
      const { inline: _data, ...rest } = inline;
      for (const part of [bytes.subarray(0, head), bytes]) expect(decodeRecordHead(part)).toEqual({ ...rest, dataSize: data.length, isInline: true });
      expect(decodeRecordHead(encodeObjectRecord(record))).toEqual({ ...record, inline: undefined, dataSize: 2 ** 40 + 5, isInline: false });
      expect(() => decodeRecordHead(bytes.subarray(0, head + 1))).toThrow(CorruptRecordError);
      expect(() => decodeRecordHead(bytes.subarray(0, head - 1))).toThrow(CorruptRecordError);
    });

    it('rejects truncation, trailing bytes, too much data, and data both inline and in files', () => {
      const bytes = encodeObjectRecord(inline);
      expect(() => decodeObjectRecord(bytes.subarray(0, bytes.length - 1))).toThrow(CorruptRecordError);
      expect(() => decodeObjectRecord(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(CorruptRecordError);
      const huge = Buffer.from(bytes);
      huge.writeUInt32BE(INLINE_MAX + 1, bytes.length - data.length - 4);
      expect(() => decodeObjectRecord(huge)).toThrow(/too large/);
      expect(() => encodeObjectRecord({ ...inline, inline: Buffer.alloc(INLINE_MAX + 1) })).toThrow(RangeError);
      expect(encodeObjectRecord({ ...inline, inline: Buffer.alloc(INLINE_MAX) }).length).toBeGreaterThan(INLINE_MAX);
      expect(() => encodeObjectRecord({ ...inline, files: record.files })).toThrow(RangeError);
    });
  });
});
