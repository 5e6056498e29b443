// Replaced records kept as spares and written into again (fs-spare-records.ts): on disk through
// the store, and the pool's rules (no reuse under a reader, bounded, idle spares go).
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getData, putObject } from './contract.js';
import { NoSuchKeyError } from './errors.js';
import { FsObjectStore } from './fs-store.js';
import { SpareRecords } from './fs-spare-records.js';
import { closeTempStore, openTempStore } from './test-fixtures.js';

describe('FsObjectStore, spare records', () => {
  let dir: string;
  let root: string;
  let store: FsObjectStore;
  const bucket = 'spare-bucket';
  const recordFile = (name: string): string => join(root, 'buckets', `b${bucket}`, 'keys', `o${name}`);
  const spares = (): Promise<string[]> => readdir(join(root, 'spare'));
  const inode = async (path: string): Promise<number> => (await stat(path)).ino;

  beforeEach(async () => {
    ({ dir, root, store } = await openTempStore('kmsgate-spare-', bucket));
  });
  afterEach(() => closeTempStore({ dir, root, store }));

  it('keeps an overwritten record and writes the next record into it: the inode moves from key to key', async () => {
    await putObject(store, bucket, 'a', Buffer.from('a1'), Buffer.from('ma1'));
    expect(await spares()).toEqual([]); // a new key replaces nothing
    const first = await inode(recordFile('a'));
    await putObject(store, bucket, 'a', Buffer.from('a2'), Buffer.from('ma2'));
    expect(await spares()).toHaveLength(1);
    expect(await inode(recordFile('a'))).not.toBe(first);
    await putObject(store, bucket, 'b', Buffer.from('b1, longer than a1 was'), Buffer.from('mb1'));
    expect(await inode(recordFile('b'))).toBe(first);
    expect(await spares()).toEqual([]);
    expect(await getData(store, bucket, 'a')).toEqual({ data: Buffer.from('a2'), metadata: Buffer.from('ma2') });
    expect(await getData(store, bucket, 'b')).toEqual({ data: Buffer.from('b1, longer than a1 was'), metadata: Buffer.from('mb1') });
    // Written into with truncation: a shorter record leaves nothing of the longer one behind.
    await putObject(store, bucket, 'b', Buffer.from('b2'), Buffer.from('mb2'));
    const replacedB = await inode(recordFile('b'));
    await putObject(store, bucket, 'c', Buffer.from('c'), Buffer.from('m'));
    expect(await getData(store, bucket, 'c')).toEqual({ data: Buffer.from('c'), metadata: Buffer.from('m') });
    expect(await inode(recordFile('c'))).not.toBe(replacedB);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('keeps a deleted record too, and the next new key is written into it', async () => {
    await putObject(store, bucket, 'gone', Buffer.from('x'), Buffer.from('m'));
    const ino = await inode(recordFile('gone'));
    await store.deleteObject(bucket, 'gone');
    await expect(stat(recordFile('gone'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await spares()).toHaveLength(1);
    await putObject(store, bucket, 'new', Buffer.from('y'), Buffer.from('n'));
    expect(await inode(recordFile('new'))).toBe(ino);
    await expect(store.getObject(bucket, 'gone')).rejects.toBeInstanceOf(NoSuchKeyError);
  });

  it('empties the spare folder on close and on open', async () => {
    await putObject(store, bucket, 'k', Buffer.from('1'), Buffer.from('m'));
    await putObject(store, bucket, 'k', Buffer.from('2'), Buffer.from('m'));
    expect(await spares()).toHaveLength(1);
    await store.close();
    expect(await spares()).toEqual([]);
    await writeFile(join(root, 'spare', 'left-by-a-crash'), 'old record');
    store = await FsObjectStore.open(root);
    expect(await spares()).toEqual([]);
    expect(await getData(store, bucket, 'k')).toEqual({ data: Buffer.from('2'), metadata: Buffer.from('m') });
  });

  it('counts every kind of record read, so none of them has its inode reused under it', async () => {
    await putObject(store, bucket, 'a', Buffer.from('a1'), Buffer.from('m'));
    await putObject(store, bucket, 'b', Buffer.from('b1'), Buffer.from('m'));
    const begin = SpareRecords.prototype.beginRead;
    const held: (() => void)[] = [];
    // Each read is made to look as if it were still going until the test lets it end.
    const spy = jest.spyOn(SpareRecords.prototype, 'beginRead').mockImplementation(function (this: SpareRecords) {
      const done = begin.call(this);
      return () => held.push(done);
    });
    try {
      const reads: [string, () => Promise<unknown>][] = [
        ['GET', () => getData(store, bucket, 'a')],
        ['HEAD', () => store.headObject(bucket, 'a')],
        ['a conditional PUT', () => putObject(store, bucket, 'b', Buffer.from('b2'), Buffer.from('m'), { precondition: () => {} })],
      ];
      for (const [n, [what, read]] of reads.entries()) {
        const oldA = await inode(recordFile('a'));
        await read();
        expect([what, held.length]).not.toEqual([what, 0]);
        await putObject(store, bucket, 'a', Buffer.from('a2'), Buffer.from('m')); // a's old record is now a spare
        await putObject(store, bucket, `new${n}`, Buffer.from('n'), Buffer.from('m'));
        expect([what, await inode(recordFile(`new${n}`))]).not.toEqual([what, oldA]);
        held.splice(0).forEach((done) => done());
        await putObject(store, bucket, `after${n}`, Buffer.from('n'), Buffer.from('m'));
      }
    } finally {
      spy.mockRestore();
      held.splice(0).forEach((done) => done());
    }
  });

  it('serves every key its own bytes while records are overwritten and read at once', async () => {
    const keys = Array.from({ length: 16 }, (_, i) => `k${i}`);
    const body = (key: string, n: number): Buffer => Buffer.from(`${key}:${n}:`.padEnd(64 + (n % 7) * 300, key));
    for (const key of keys) await putObject(store, bucket, key, body(key, 0), Buffer.from(key));
    const mixups: string[] = [];
    await Promise.all(
      Array.from({ length: 24 }, async (_, worker) => {
        for (let i = 0; i < 60; i++) {
          const key = keys[(worker * 7 + i) % keys.length]!;
          if ((worker + i) % 2 === 0) {
            await putObject(store, bucket, key, body(key, i + 1), Buffer.from(key));
          } else {
            const { data, metadata } = await getData(store, bucket, key);
            if (!metadata.equals(Buffer.from(key)) || !data.toString().startsWith(`${key}:`)) mixups.push(`${key} read ${data.subarray(0, 12).toString()}`);
          }
        }
      }),
    );
    expect(mixups).toEqual([]);
  });
});

describe('SpareRecords', () => {
  let dir: string;
  let spareDir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kmsgate-spares-'));
    spareDir = join(dir, 'spare');
    await mkdir(spareDir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const aRecord = async (name: string, text = name): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  /** Keeps `record` as a spare the way a commit does: link, then (the rename) retire. */
  const replace = async (pool: SpareRecords, record: string): Promise<string> => {
    const kept = await pool.keepLinked(record);
    expect(kept).not.toBeNull();
    await rm(record); // what the rename over the record does to its old name
    pool.retire(kept!);
    return kept!;
  };

  it('hands out no spare while a record read begun before it was retired goes on', async () => {
    const pool = new SpareRecords(spareDir);
    const early = pool.beginRead();
    const kept = await replace(pool, await aRecord('r1'));
    const late = pool.beginRead(); // began after the rename: it cannot have the old inode open
    expect(pool.take()).toBeNull();
    early();
    expect(pool.take()).toBe(kept);
    expect(await readFile(kept, 'utf8')).toBe('r1');
    late();
    await pool.close();
  });

  it('takes the oldest spare first, and only those whose readers are gone', async () => {
    const pool = new SpareRecords(spareDir);
    const first = await replace(pool, await aRecord('r1'));
    const reading = pool.beginRead();
    const second = await replace(pool, await aRecord('r2'));
    expect(pool.take()).toBe(first);
    expect(pool.take()).toBeNull();
    reading();
    expect(pool.take()).toBe(second);
    expect(pool.take()).toBeNull();
    await pool.close();
  });

  it('keeps at most `max`, counts names not yet retired, and gives a reservation back when the link fails', async () => {
    const pool = new SpareRecords(spareDir, { max: 2 });
    expect(await pool.keepLinked(join(dir, 'missing'))).toBeNull();
    const a = await pool.keepLinked(await aRecord('a'));
    const b = await pool.keepLinked(await aRecord('b'));
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(await pool.keepLinked(await aRecord('c'))).toBeNull();
    pool.discard(b!); // the rename failed: the record stays, its extra name goes
    pool.retire(a!);
    const d = await pool.keepLinked(await aRecord('d'));
    expect(d).not.toBeNull();
    pool.retire(d!);
    expect(await pool.keepLinked(await aRecord('e'))).toBeNull();
    // A delete with the pool full unlinks the record as before.
    const full = await aRecord('f');
    await pool.keepMoved(full);
    await expect(stat(full)).rejects.toMatchObject({ code: 'ENOENT' });
    await sleep(20);
    expect((await readdir(spareDir)).sort()).toEqual([a!, d!].map((p) => p.slice(spareDir.length + 1)).sort());
    await pool.close();
    expect(await readdir(spareDir)).toEqual([]);
  });

  it('unlinks a spare left unused for idleMs', async () => {
    const pool = new SpareRecords(spareDir, { idleMs: 50 });
    await replace(pool, await aRecord('r1'));
    expect(await readdir(spareDir)).toHaveLength(1);
    for (let i = 0; i < 50 && (await readdir(spareDir)).length > 0; i++) await sleep(20);
    expect(await readdir(spareDir)).toEqual([]);
    expect(pool.take()).toBeNull();
    await pool.close();
  });

  it('after close, unlinks what is retired instead of keeping it', async () => {
    const pool = new SpareRecords(spareDir);
    const kept = await pool.keepLinked(await aRecord('r1'));
    await pool.close();
    pool.retire(kept!);
    for (let i = 0; i < 50 && (await readdir(spareDir)).length > 0; i++) await sleep(20);
    expect(await readdir(spareDir)).toEqual([]);
    expect(await pool.keepLinked(await aRecord('r2'))).toBeNull();
  });
});
