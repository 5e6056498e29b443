// Small objects kept inline in their record (record version 4): what is on disk, how they
// replace and are replaced by objects with data files, and records of the earlier versions.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getData, listingEntry, putObject, putPart, readAll } from './contract.js';
import { RecordReader } from './fs-record-reader.js';
import { readHeadBytes, readRecordFile, readRecordHead } from './fs-record-file.js';
import { FsObjectStore } from './fs-store.js';
import { closeTempStore, openTempStore } from './test-fixtures.js';
import { SMALL_READ } from './fs-util.js';
import { encodeObjectRecord, INLINE_MAX, type ObjectRecord } from './object-record.js';

describe('FsObjectStore, small objects inline', () => {
  let dir: string;
  let root: string;
  let store: FsObjectStore;
  const bucket = 'inline-bucket';
  const bucketDir = (): string => join(root, 'buckets', `b${bucket}`);
  const recordFile = (name: string): string => join(bucketDir(), 'keys', `o${name}`);
  const tmpEntries = (): Promise<string[]> => readdir(join(root, 'tmp'));
  const dataFiles = async (): Promise<string[]> => {
    const shards = await readdir(join(bucketDir(), 'data')).catch(() => []);
    const names = await Promise.all(shards.map((s) => readdir(join(bucketDir(), 'data', s))));
    return names.flat();
  };

  beforeEach(async () => {
    ({ dir, root, store } = await openTempStore('kmsgate-inline-', bucket));
  });
  afterEach(() => closeTempStore({ dir, root, store }));

  it('keeps an object of up to INLINE_MAX bytes in its record alone: no data file, no shard folder, nothing in tmp', async () => {
    for (const size of [0, 1, 4096, INLINE_MAX]) {
      const data = Buffer.alloc(size, size % 251);
      await putObject(store, bucket, `k${size}`, data, Buffer.from(`m${size}`), { listing: listingEntry(`k${size}`) });
      const record = await readFile(recordFile(`k${size}`));
      expect(record[4]).toBe(4);
      expect(record.subarray(record.length - size).equals(data)).toBe(true);
      expect(await getData(store, bucket, `k${size}`)).toEqual({ data, metadata: Buffer.from(`m${size}`) });
      expect(await store.headObject(bucket, `k${size}`)).toEqual({ metadata: Buffer.from(`m${size}`), dataSize: size });
    }
    expect(await readdir(join(bucketDir(), 'data'))).toEqual([]); // no shard folder either
    expect(await tmpEntries()).toEqual([]);
    const object = await store.getObject(bucket, 'k4096');
    expect(object.pieces).toEqual([4096]);
    expect((await readAll(object.read({ start: 4000, end: 4095 }))).equals(Buffer.alloc(96, 4096 % 251))).toBe(true);
    expect(() => object.read({ start: 0, end: 4096 })).toThrow(RangeError);
    expect(() => object.read(undefined, 1)).toThrow(RangeError);
    await object.close();
    // One byte more is a data file, as before.
    await putObject(store, bucket, 'big', Buffer.alloc(INLINE_MAX + 1, 7), Buffer.from('m'));
    expect((await readFile(recordFile('big')))[4]).toBe(2);
    expect(await dataFiles()).toHaveLength(1);
  });

  it('a version read stays that version when an inline object is overwritten or deleted meanwhile', async () => {
    await putObject(store, bucket, 'k', Buffer.from('first'), Buffer.from('m1'));
    const first = await store.getObject(bucket, 'k');
    await putObject(store, bucket, 'k', Buffer.from('second'), Buffer.from('m2'));
    await store.deleteObject(bucket, 'k');
    expect((await readAll(first.read())).toString()).toBe('first');
    await first.close();
  });

  it('replaces inline by inline, inline by a data file and back, leaving only the current data', async () => {
    const big = (fill: number): Buffer => Buffer.alloc(INLINE_MAX + 10, fill);
    await putObject(store, bucket, 'k', Buffer.from('small 1'), Buffer.from('m'));
    await putObject(store, bucket, 'k', Buffer.from('small 2'), Buffer.from('m'));
    expect((await getData(store, bucket, 'k')).data.toString()).toBe('small 2');
    await putObject(store, bucket, 'k', big(1), Buffer.from('m'));
    expect((await getData(store, bucket, 'k')).data.equals(big(1))).toBe(true);
    expect(await dataFiles()).toHaveLength(1);
    await putObject(store, bucket, 'k', Buffer.from('small 3'), Buffer.from('m'));
    expect((await getData(store, bucket, 'k')).data.toString()).toBe('small 3');
    expect(await dataFiles()).toHaveLength(0);
    await putObject(store, bucket, 'k', big(2), Buffer.from('m'));
    await store.deleteObject(bucket, 'k');
    expect(await dataFiles()).toHaveLength(0);
    expect(await tmpEntries()).toEqual([]);
  });

  // An overwrite takes the replaced record's data files from what this store committed, when it
  // did; after a reopen, a completion or a write under a precondition it reads the record.
  it('removes the replaced version\'s data file whoever committed it: this store, an earlier one, a completion', async () => {
    const big = (fill: number): Buffer => Buffer.alloc(INLINE_MAX + 10, fill);
    await putObject(store, bucket, 'k', big(1), Buffer.from('m'));
    await store.close();
    store = await FsObjectStore.open(root);
    await putObject(store, bucket, 'k', Buffer.from('small after reopen'), Buffer.from('m'));
    expect(await dataFiles()).toHaveLength(0);
    const { uploadId } = await store.createUpload(bucket, 'k', Buffer.from('u'));
    const part = await putPart(store, bucket, 'k', uploadId, 1, big(2));
    await store.completeUpload(bucket, 'k', uploadId, [{ partNumber: 1, attempt: part.attempt }], Buffer.from('m'));
    expect(await dataFiles()).toHaveLength(1);
    await putObject(store, bucket, 'k', big(3), Buffer.from('m'));
    expect(await dataFiles()).toHaveLength(1);
    await expect(putObject(store, bucket, 'k', Buffer.from('refused'), Buffer.from('m'), { precondition: () => { throw new Error('no'); } })).rejects.toThrow('no');
    await putObject(store, bucket, 'k', Buffer.from('small'), Buffer.from('m'), { precondition: (current) => expect(current).not.toBeNull() });
    expect(await dataFiles()).toHaveLength(0);
    await putObject(store, bucket, 'k', big(4), Buffer.from('m'));
    await putObject(store, bucket, 'k', big(5), Buffer.from('m'));
    expect(await dataFiles()).toHaveLength(1);
    expect((await getData(store, bucket, 'k')).data.equals(big(5))).toBe(true);
  });

  it('an aborted or refused small write leaves nothing anywhere', async () => {
    const aborted = await store.beginPut(bucket, 'k');
    await new Promise((resolve) => aborted.stream.write(Buffer.alloc(1000), resolve));
    expect(await tmpEntries()).toEqual([]); // held in memory, not yet on disk
    await aborted.abort();
    const refused = await store.beginPut(bucket, 'k');
    refused.stream.end(Buffer.from('x'));
    await new Promise((resolve) => refused.stream.once('finish', resolve));
    await expect(refused.commit(Buffer.from('m'), { precondition: () => { throw new Error('no'); } })).rejects.toThrow('no');
    expect(await tmpEntries()).toEqual([]);
    await expect(stat(recordFile('k'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reads, lists and replaces a record written by the data-file code path (version 2)', async () => {
    // What the store wrote for every object before inline records: a data file and a v2 record.
    const data = Buffer.from('written the old way');
    const name = 'ab'.repeat(16);
    await mkdir(join(bucketDir(), 'data', 'ab'), { recursive: true });
    await writeFile(join(bucketDir(), 'data', 'ab', name), data);
    const v2 = encodeObjectRecord({ files: [{ name, size: data.length }], inline: null, metadata: Buffer.from('old meta'), listing: listingEntry('old') });
    expect(v2[4]).toBe(2);
    await store.close();
    await writeFile(recordFile('old'), v2);
    store = await FsObjectStore.open(root);
    expect(await getData(store, bucket, 'old')).toEqual({ data, metadata: Buffer.from('old meta') });
    expect(await store.headObject(bucket, 'old')).toEqual({ metadata: Buffer.from('old meta'), dataSize: data.length });
    expect((await store.listObjects(bucket, { limit: 10 })).items).toEqual([{ kind: 'object', key: 'old', entry: listingEntry('old') }]);
    await putObject(store, bucket, 'old', Buffer.from('new'), Buffer.from('new meta'));
    expect(await getData(store, bucket, 'old')).toEqual({ data: Buffer.from('new'), metadata: Buffer.from('new meta') });
    expect(await dataFiles()).toEqual([]); // the old data file went after the commit
  });

  it('lists and heads a record whose head is longer than a listing read, and refuses a record with bytes after its data', async () => {
    const metadata = Buffer.alloc(SMALL_READ + 100, 'm');
    await putObject(store, bucket, 'long', Buffer.from('data'), metadata, { listing: listingEntry('long') });
    await store.close();
    store = await FsObjectStore.open(root); // cold caches: the listing reads the record
    expect((await store.listObjects(bucket, { limit: 10 })).items).toEqual([{ kind: 'object', key: 'long', entry: listingEntry('long') }]);
    expect((await store.headObject(bucket, 'long')).dataSize).toBe(4);
    expect((await getData(store, bucket, 'long')).data.toString()).toBe('data');
    await writeFile(recordFile('long'), Buffer.concat([await readFile(recordFile('long')), Buffer.from('x')]));
    await expect(store.getObject(bucket, 'long')).rejects.toThrow(/corrupt object record/);
  });

  it('a listing reads an inline record only up to its data', async () => {
    const data = Buffer.alloc(100_000, 3);
    await putObject(store, bucket, 'k', data, Buffer.from('m'), { listing: listingEntry('k') });
    const file = recordFile('k');
    const whole = await readFile(file);
    const reader = new RecordReader();
    try {
      const head = await readHeadBytes(reader, file);
      expect(head?.length).toBe(whole.length - data.length);
      expect(head?.equals(whole.subarray(0, head.length))).toBe(true);
      expect((await reader.read(file, SMALL_READ))?.length).toBe(SMALL_READ);
    } finally {
      await reader.close();
    }
  });

  it('reads whole records through the batching reader at every length around its first read, as the direct read does', async () => {
    const reader = new RecordReader();
    const file = join(dir, 'record');
    const whole = INLINE_MAX + SMALL_READ; // the reader's first read for a GET
    try {
      const records = [
        { files: [], inline: Buffer.alloc(INLINE_MAX, 1), metadata: Buffer.alloc(SMALL_READ - 40, 'm'), listing: null },
        { files: [], inline: Buffer.alloc(INLINE_MAX, 2), metadata: Buffer.alloc(SMALL_READ + 5000, 'm'), listing: listingEntry('k') },
        // A record of thousands of parts is longer than the first read and names no inline data.
        { files: Array.from({ length: 4000 }, (_, i) => ({ name: i.toString(16).padStart(32, '0'), size: 5 * 1024 * 1024 })), inline: null, metadata: Buffer.from('m'), listing: null },
      ];
      for (const record of records) {
        const bytes = encodeObjectRecord(record);
        for (const extra of [0, 1]) {
          await writeFile(file, extra ? Buffer.concat([bytes, Buffer.from('x')]) : bytes);
          // Compared as encoded bytes (or the error's message): quick for records this long.
          const outcome = (read: Promise<ObjectRecord | null>): Promise<string> =>
            read.then((r) => (r ? encodeObjectRecord(r).toString('base64') : 'null'), (err: Error) => err.message);
          const direct = await outcome(readRecordFile(file));
          expect(await outcome(readRecordFile(file, reader))).toBe(direct);
          if (!extra) expect(direct).toBe(bytes.toString('base64'));
          const head = (via?: RecordReader): Promise<string> =>
            readRecordHead(file, via).then((h) => JSON.stringify(h && { ...h, metadata: h.metadata.toString('base64') }), (err: Error) => err.message);
          expect(await head(reader)).toBe(await head());
        }
        expect([record.files.length, bytes.length > whole]).toEqual([record.files.length, record.files.length > 0 || record.metadata.length > SMALL_READ]);
      }
      expect(await readRecordFile(join(dir, 'missing'), reader)).toBeNull();
    } finally {
      await reader.close();
    }
  });
});
