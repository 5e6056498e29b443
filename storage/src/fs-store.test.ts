import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { getData, keysOf, listingEntry, ODD_KEYS, putObject, runListingContract, runObjectStoreContract } from './contract.js';
import { NoSuchKeyError, StorageError } from './errors.js';
import { FsObjectStore } from './fs-store.js';
import { closeTempStore, openTempStore } from './test-fixtures.js';
import { INLINE_MAX } from './object-record.js';

/** Data too large to be kept inline in its record: it gets a data file. */
const big = (fill: number | string = 1): Buffer => Buffer.alloc(INLINE_MAX + 1, fill);

runObjectStoreContract('FsObjectStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kmsgate-storage-'));
  const store = await FsObjectStore.open(join(dir, 'root'));
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

// Caches far smaller than the data: every listing path also works evicted and cold.
runListingContract('FsObjectStore with tiny listing caches', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kmsgate-storage-'));
  const store = await FsObjectStore.open(join(dir, 'root'), { listingCacheEntries: 3, listingCacheSummaries: 2 });
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

/** Every path under dir (files and directories), relative to it. */
async function walk(dir: string): Promise<{ path: string; isDir: boolean; mode: number }[]> {
  const out: { path: string; isDir: boolean; mode: number }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const { mode } = await stat(full);
    out.push({ path: full, isDir: entry.isDirectory(), mode: mode & 0o777 });
    if (entry.isDirectory()) out.push(...(await walk(full)));
  }
  return out;
}

describe('FsObjectStore on disk', () => {
  let dir: string;
  let root: string;
  let store: FsObjectStore;
  const bucket = 'disk-bucket';
  const tmpEntries = (): Promise<string[]> => readdir(join(root, 'tmp'));
  const dataFiles = async (): Promise<string[]> =>
    (await walk(join(root, 'buckets'))).filter((e) => !e.isDir && e.path.includes('/data/')).map((e) => e.path);

  beforeEach(async () => {
    ({ dir, root, store } = await openTempStore('kmsgate-storage-', bucket, 'nested', 'root'));
  });
  afterEach(() => closeTempStore({ dir, root, store }));

  it('writes nothing outside the root, whatever the key', async () => {
    for (const key of ODD_KEYS) await putObject(store, bucket, key, Buffer.from(key), Buffer.from('m'));
    await putObject(store, bucket, '../../../../escape-file', Buffer.from('x'), Buffer.from('m'));
    expect(await readdir(dir)).toEqual(['nested']);
    expect(await readdir(join(dir, 'nested'))).toEqual(['root']);
    for (const entry of await walk(root)) {
      expect(relative(root, entry.path).startsWith('..')).toBe(false);
    }
    // ".." became an ordinary directory named "d..", one level per component.
    const keysDir = join(root, 'buckets', `b${bucket}`, 'keys');
    expect((await stat(join(keysDir, 'd..', 'd..', 'd..', 'd..', 'oescape-file'))).isFile()).toBe(true);
  });

  it('keeps unusual bucket names inside the root too', async () => {
    await store.createBucket('../up');
    await putObject(store, '../up', 'k', Buffer.from('v'), Buffer.from('m'));
    expect(await readdir(join(dir, 'nested'))).toEqual(['root']);
    expect((await store.listBuckets()).map((b) => b.name)).toEqual(['../up', bucket]);
  });

  it('uses mode 0700 for directories and 0600 for files', async () => {
    await putObject(store, bucket, 'a/b/c', big(), Buffer.from('m'));
    const open = await store.beginPut(bucket, 'pending');
    await new Promise((resolve) => open.stream.write(big(), resolve));
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    const entries = await walk(root);
    expect(entries.filter((e) => !e.isDir).length).toBeGreaterThanOrEqual(3);
    for (const entry of entries) expect([entry.path, entry.mode]).toEqual([entry.path, entry.isDir ? 0o700 : 0o600]);
    await open.abort();
  });

  it('leaves no temp file after abort, destroy or a failed commit', async () => {
    const aborted = await store.beginPut(bucket, 'k');
    await new Promise((resolve) => aborted.stream.write(big(1), resolve));
    expect((await tmpEntries()).length).toBe(1);
    await aborted.abort();
    expect(await tmpEntries()).toEqual([]);

    const destroyed = await store.beginPut(bucket, 'k');
    destroyed.stream.on('error', () => {});
    destroyed.stream.write(big(2));
    destroyed.stream.destroy(new Error('gone'));
    await new Promise((resolve) => destroyed.stream.once('close', resolve));
    await destroyed.abort(); // the cleanup the destroy started on its own
    expect(await tmpEntries()).toEqual([]);

    const orphaned = await store.beginPut(bucket, 'k');
    orphaned.stream.end(Buffer.from('x'));
    await new Promise((resolve) => orphaned.stream.once('finish', resolve));
    await store.deleteBucket(bucket); // the commit now has nowhere to go
    await expect(orphaned.commit(Buffer.from('m'))).rejects.toThrow();
    expect(await tmpEntries()).toEqual([]);
  });

  it('keeps one data file per large object through overwrites, concurrent puts and deletes', async () => {
    for (let i = 0; i < 5; i++) await putObject(store, bucket, 'over', big(`v${i}`), Buffer.from('m'));
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => putObject(store, bucket, 'race', Buffer.alloc(INLINE_MAX + 1000 * i, i), Buffer.from('m'))),
    );
    await putObject(store, bucket, 'gone', big(), Buffer.from('m'));
    await store.deleteObject(bucket, 'gone');
    expect((await dataFiles()).length).toBe(2);
    expect(await tmpEntries()).toEqual([]);
  });

  it('prunes empty directories on delete and keeps non-empty ones', async () => {
    await putObject(store, bucket, 'a/b/c/d', Buffer.from('1'), Buffer.from('m'));
    await putObject(store, bucket, 'a/x', Buffer.from('2'), Buffer.from('m'));
    await store.deleteObject(bucket, 'a/b/c/d');
    const keysDir = join(root, 'buckets', `b${bucket}`, 'keys');
    expect(await readdir(keysDir)).toEqual(['da']);
    expect(await readdir(join(keysDir, 'da'))).toEqual(['ox']);
    await store.deleteObject(bucket, 'a/x');
    expect(await readdir(keysDir)).toEqual([]);
  });

  it('lets puts into a directory win against pruning of that directory', async () => {
    for (let round = 0; round < 100; round++) {
      await putObject(store, bucket, 'shared/deeper/sole', Buffer.from('s'), Buffer.from('m'));
      // Bodies written first, so the commits race the delete's pruning itself.
      const pending = await Promise.all(
        [0, 1, 2].map(async (i) => {
          const p = await store.beginPut(bucket, `shared/deeper/n${i}`);
          p.stream.end(Buffer.from(`n${i}`));
          await new Promise((resolve) => p.stream.once('finish', resolve));
          return p;
        }),
      );
      await Promise.all([
        store.deleteObject(bucket, 'shared/deeper/sole'),
        ...pending.map((p, i) => p.commit(Buffer.from(`m${i}`))),
      ]);
      const listed = await store.listObjects(bucket, { limit: 10 });
      expect(keysOf(listed)).toEqual(['shared/deeper/n0', 'shared/deeper/n1', 'shared/deeper/n2']);
      for (const key of keysOf(listed)) await store.deleteObject(bucket, key);
    }
    expect(keysOf(await store.listObjects(bucket, { limit: 10 }))).toEqual([]);
  });

  it('keeps objects across reopen and sweeps temp leftovers on open', async () => {
    await putObject(store, bucket, 'kept', Buffer.from('data'), Buffer.from('meta'));
    await store.close();
    await writeFile(join(root, 'tmp', 'crashed.part'), 'half a body');
    await mkdir(join(root, 'tmp', 'crashed.bucket'));
    store = await FsObjectStore.open(root);
    expect(await tmpEntries()).toEqual([]);
    expect(await getData(store, bucket, 'kept')).toEqual({ data: Buffer.from('data'), metadata: Buffer.from('meta') });
  });

  it('sweeps data files no record points to, when asked', async () => {
    await putObject(store, bucket, 'kept', big('data'), Buffer.from('meta'));
    await putObject(store, bucket, 'inline', Buffer.from('data'), Buffer.from('meta'));
    const orphanDir = join(root, 'buckets', `b${bucket}`, 'data', 'ab');
    await mkdir(orphanDir, { recursive: true });
    await writeFile(join(orphanDir, 'ab'.repeat(16)), 'left by a crash');
    await store.close();
    store = await FsObjectStore.open(root);
    expect((await dataFiles()).length).toBe(2); // not swept by default
    await store.close();
    store = await FsObjectStore.open(root, { sweepOrphanData: true });
    expect((await dataFiles()).length).toBe(1);
    expect(await store.sweepOrphanData()).toBe(0);
    expect((await getData(store, bucket, 'kept')).data.equals(big('data'))).toBe(true);
    expect((await getData(store, bucket, 'inline')).data.toString()).toBe('data');
  });

  it('fails cleanly when a data file is missing or a record is corrupt', async () => {
    await putObject(store, bucket, 'k', big(), Buffer.from('meta'));
    const [dataFile] = await dataFiles();
    await rm(dataFile);
    await expect(store.getObject(bucket, 'k')).rejects.toThrow(/kept changing/);
    const record = join(root, 'buckets', `b${bucket}`, 'keys', 'ok');
    await writeFile(record, Buffer.concat([await readFile(record), Buffer.from([0])]));
    await expect(store.headObject(bucket, 'k')).rejects.toThrow(/corrupt object record/);
  });

  it('rejects invalid keys, ranges and roots', async () => {
    await expect(store.beginPut(bucket, '')).rejects.toBeInstanceOf(StorageError);
    await expect(store.beginPut(bucket, 'lone\uD800surrogate')).rejects.toBeInstanceOf(StorageError);
    await expect(store.getObject(bucket, 'lone\uD800surrogate')).rejects.not.toBeInstanceOf(NoSuchKeyError);
    await putObject(store, bucket, 'r', Buffer.from('0123'), Buffer.from('m'));
    const object = await store.getObject(bucket, 'r');
    expect(() => object.read({ start: 2, end: 4 })).toThrow(RangeError);
    expect(() => object.read({ start: 3, end: 2 })).toThrow(RangeError);
    await object.close();
    await expect(FsObjectStore.open(join(dir, 'x'.repeat(800)))).rejects.toBeInstanceOf(StorageError);
    await expect(store.listObjects(bucket, { limit: -1 })).rejects.toBeInstanceOf(RangeError);
  });

  it('writes the bucket configuration as one 0600 file, through tmp, kept across reopen', async () => {
    await store.updateBucketConfig(bucket, () => Buffer.from('{"v":1}'));
    await store.updateBucketConfig(bucket, () => Buffer.from('{"v":2}'));
    expect(await tmpEntries()).toEqual([]);
    const configs = (await walk(root)).filter((e) => e.path.endsWith('/config'));
    expect(configs.map((e) => e.mode)).toEqual([0o600]);
    await store.close();
    store = await FsObjectStore.open(root);
    expect((await store.getBucketConfig(bucket))?.toString()).toBe('{"v":2}');
    await putObject(store, bucket, 'config', Buffer.from('a key named like the file'), Buffer.from('m'));
    expect((await store.getBucketConfig(bucket))?.toString()).toBe('{"v":2}');
  });

  it('lists the committed entries after reopen, from the records alone', async () => {
    await putObject(store, bucket, 'a/1', Buffer.from('x'), Buffer.from('m1'), { listing: listingEntry('a/1', 5) });
    await putObject(store, bucket, 'a/2', Buffer.from('x'), Buffer.from('m2'), { listing: listingEntry('a/2', 6) });
    expect((await store.listObjects(bucket, { limit: 10 })).items.length).toBe(2); // caches warm
    await store.deleteObject(bucket, 'a/2');
    await store.close();
    store = await FsObjectStore.open(root);
    expect((await store.listObjects(bucket, { limit: 10 })).items).toEqual([{ kind: 'object', key: 'a/1', entry: listingEntry('a/1', 5) }]);
  });

  it('lists records written before listing entries (version 1) through describe', async () => {
    await putObject(store, bucket, 'old', big(), Buffer.from('m'), { listing: listingEntry('old') });
    await store.close();
    // What a version 1 record of the same object looked like on disk.
    const recordFile = join(root, 'buckets', `b${bucket}`, 'keys', 'oold');
    const v2 = await readFile(recordFile);
    const metaLengthAt = 6 + v2[5] + 8; // magic, version, name length, name, data size
    const v1 = Buffer.from(v2.subarray(0, metaLengthAt + 4 + v2.readUInt32BE(metaLengthAt)));
    v1[4] = 1;
    await writeFile(recordFile, v1);
    // As a version without listing summaries left the store: no listing state to trust.
    await rm(join(root, 'listing-state'));
    store = await FsObjectStore.open(root);
    const describe = (metadata: Buffer) => listingEntry(`described ${metadata.toString()}`, 3);
    expect((await store.listObjects(bucket, { limit: 10, describe })).items).toEqual([{ kind: 'object', key: 'old', entry: listingEntry('described m', 3) }]);
    expect((await getData(store, bucket, 'old')).metadata).toEqual(Buffer.from('m'));
  });

  it('still lists the other keys, and this one without an entry, when a record is corrupt', async () => {
    await putObject(store, bucket, 'good', Buffer.from('x'), Buffer.from('m'), { listing: listingEntry('good') });
    await putObject(store, bucket, 'bad', Buffer.from('x'), Buffer.from('m'), { listing: listingEntry('bad') });
    await store.close();
    await writeFile(join(root, 'buckets', `b${bucket}`, 'keys', 'obad'), 'not a record');
    await rm(join(root, 'listing-state')); // the records are read, not their summary
    store = await FsObjectStore.open(root);
    expect((await store.listObjects(bucket, { limit: 10 })).items).toEqual([
      { kind: 'object', key: 'bad', entry: null },
      { kind: 'object', key: 'good', entry: listingEntry('good') },
    ]);
  });

  it('puts again into folders it pruned, or that went behind its back', async () => {
    const keysDir = join(root, 'buckets', `b${bucket}`, 'keys');
    await putObject(store, bucket, 'p/q/r', Buffer.from('1'), Buffer.from('m'));
    await store.deleteObject(bucket, 'p/q/r'); // prunes p/ and p/q/, which the store had made
    await putObject(store, bucket, 'p/q/r', Buffer.from('2'), Buffer.from('m'));
    expect((await getData(store, bucket, 'p/q/r')).data.toString()).toBe('2');
    // Removed by hand, the key folders and the data shards: the next puts make them again.
    await rm(keysDir, { recursive: true });
    await mkdir(keysDir);
    const dataDir = join(root, 'buckets', `b${bucket}`, 'data');
    await rm(dataDir, { recursive: true });
    await mkdir(dataDir);
    for (let i = 0; i < 20; i++) await putObject(store, bucket, `p/q/k${i}`, Buffer.from(`v${i}`), Buffer.from('m'));
    for (let i = 0; i < 20; i++) expect((await getData(store, bucket, `p/q/k${i}`)).data.toString()).toBe(`v${i}`);
    // A bucket deleted and made again starts with no folders the store remembers.
    for (const key of keysOf(await store.listObjects(bucket, { limit: 100 }))) await store.deleteObject(bucket, key);
    await store.deleteBucket(bucket);
    await store.createBucket(bucket);
    await putObject(store, bucket, 'p/q/r', Buffer.from('3'), Buffer.from('m'));
    expect((await getData(store, bucket, 'p/q/r')).data.toString()).toBe('3');
  });

  it('removes a deleted bucket entirely', async () => {
    await store.deleteBucket(bucket);
    expect(await readdir(join(root, 'buckets'))).toEqual([]);
    expect(await tmpEntries()).toEqual([]);
  });
});
