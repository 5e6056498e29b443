// The behaviour every ObjectStore backend must show, as a jest suite. Each backend's test
// file calls runObjectStoreContract with a factory for a fresh, empty store.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  BucketExistsError,
  BucketNotEmptyError,
  KeyTooLongError,
  NoSuchBucketError,
  NoSuchKeyError,
} from './errors.js';
import type { ObjectStore } from './object-store.js';

export interface ContractFixture {
  store: ObjectStore;
  cleanup(): Promise<void>;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function putObject(store: ObjectStore, bucket: string, key: string, data: Buffer, metadata: Buffer): Promise<void> {
  const pending = await store.beginPut(bucket, key);
  await new Promise<void>((resolve, reject) => {
    pending.stream.once('error', reject);
    pending.stream.once('finish', resolve);
    // Several writes, so backends see a stream rather than one buffer.
    for (let at = 0; at < data.length; at += 65536) pending.stream.write(data.subarray(at, at + 65536));
    pending.stream.end();
  });
  await pending.commit(metadata);
}

export async function getData(store: ObjectStore, bucket: string, key: string): Promise<{ data: Buffer; metadata: Buffer }> {
  const object = await store.getObject(bucket, key);
  try {
    return { data: await readAll(object.read()), metadata: object.metadata };
  } finally {
    await object.close();
  }
}

/** Keys that break naive path mapping; all valid S3 keys. */
export const ODD_KEYS: readonly string[] = [
  '../../escape',
  '..',
  '.',
  '../',
  './a',
  'a/../b',
  '//',
  'a//b',
  '/leading',
  'trailing/',
  '/',
  'with space',
  '100%',
  '%2F',
  'back\\slash',
  'ctrl\u0001\u001f\u007f',
  'new\nline',
  'é/ü/中文',
  '😀',
  '\uFFFD',
  'x'.repeat(1024),
  'a/'.repeat(512),
  '\u0001'.repeat(1024),
  '中'.repeat(341),
];

const keyOrder = (keys: readonly string[]): string[] =>
  [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));

export function runObjectStoreContract(name: string, create: () => Promise<ContractFixture>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fixture: ContractFixture;
    let store: ObjectStore;
    const bucket = 'contract-bucket';
    const meta = (s: string): Buffer => Buffer.from(`meta:${s}`);

    beforeEach(async () => {
      fixture = await create();
      store = fixture.store;
      await store.createBucket(bucket);
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('buckets', () => {
      it('creates, heads, lists in name order and deletes', async () => {
        await store.createBucket('zeta-bucket');
        await store.createBucket('alpha-bucket');
        const head = await store.headBucket('alpha-bucket');
        expect(head.name).toBe('alpha-bucket');
        expect(Number.isNaN(head.creationDate.getTime())).toBe(false);
        const listed = await store.listBuckets();
        expect(listed.map((b) => b.name)).toEqual(['alpha-bucket', bucket, 'zeta-bucket']);
        expect(listed[0].creationDate.getTime()).toBe(head.creationDate.getTime());
        await store.deleteBucket('alpha-bucket');
        await expect(store.headBucket('alpha-bucket')).rejects.toBeInstanceOf(NoSuchBucketError);
        expect((await store.listBuckets()).map((b) => b.name)).toEqual([bucket, 'zeta-bucket']);
      });

      it('refuses to create an existing bucket', async () => {
        const err = await store.createBucket(bucket).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BucketExistsError);
        expect((err as BucketExistsError).bucket).toBe(bucket);
      });

      it('reports missing buckets on every operation', async () => {
        const missing = 'no-such-bucket';
        await expect(store.headBucket(missing)).rejects.toBeInstanceOf(NoSuchBucketError);
        await expect(store.deleteBucket(missing)).rejects.toBeInstanceOf(NoSuchBucketError);
        await expect(store.beginPut(missing, 'k')).rejects.toBeInstanceOf(NoSuchBucketError);
        await expect(store.getObject(missing, 'k')).rejects.toBeInstanceOf(NoSuchBucketError);
        await expect(store.headObject(missing, 'k')).rejects.toBeInstanceOf(NoSuchBucketError);
        await expect(store.deleteObject(missing, 'k')).rejects.toBeInstanceOf(NoSuchBucketError);
        await expect(store.listObjects(missing, { limit: 10 })).rejects.toBeInstanceOf(NoSuchBucketError);
      });

      it('refuses to delete a bucket that holds an object, until it is gone', async () => {
        await putObject(store, bucket, 'deep/down/key', Buffer.from('x'), meta('x'));
        await expect(store.deleteBucket(bucket)).rejects.toBeInstanceOf(BucketNotEmptyError);
        await store.deleteObject(bucket, 'deep/down/key');
        await store.deleteBucket(bucket);
        await expect(store.headBucket(bucket)).rejects.toBeInstanceOf(NoSuchBucketError);
        await store.createBucket(bucket); // the name is free again
        expect((await store.listObjects(bucket, { limit: 10 })).keys).toEqual([]);
      });
    });

    describe('objects', () => {
      it('round-trips data and metadata, and heads without the data', async () => {
        const data = randomBytes(300_000);
        await putObject(store, bucket, 'photos/cat.jpg', data, meta('cat'));
        const got = await getData(store, bucket, 'photos/cat.jpg');
        expect(got.data.equals(data)).toBe(true);
        expect(got.metadata).toEqual(meta('cat'));
        expect(await store.headObject(bucket, 'photos/cat.jpg')).toEqual({ metadata: meta('cat'), dataSize: 300_000 });
      });

      it('stores an empty object', async () => {
        await putObject(store, bucket, 'empty', Buffer.alloc(0), Buffer.alloc(0));
        const object = await store.getObject(bucket, 'empty');
        expect(object.dataSize).toBe(0);
        expect(object.metadata.length).toBe(0);
        expect((await readAll(object.read())).length).toBe(0);
        await object.close();
        await object.close(); // idempotent
      });

      it('reads inclusive byte ranges, several from one handle', async () => {
        const data = Buffer.from('0123456789abcdefghij');
        await putObject(store, bucket, 'r', data, meta('r'));
        const object = await store.getObject(bucket, 'r');
        try {
          expect((await readAll(object.read({ start: 0, end: 0 }))).toString()).toBe('0');
          expect((await readAll(object.read({ start: 5, end: 9 }))).toString()).toBe('56789');
          expect((await readAll(object.read({ start: 19, end: 19 }))).toString()).toBe('j');
          const [a, b] = await Promise.all([
            readAll(object.read({ start: 10, end: 14 })),
            readAll(object.read({ start: 0, end: 19 })),
          ]);
          expect(a.toString()).toBe('abcde');
          expect(b.equals(data)).toBe(true);
        } finally {
          await object.close();
        }
      });

      it('reports a missing key with its bucket and key', async () => {
        const err = await store.getObject(bucket, 'nope').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NoSuchKeyError);
        expect((err as NoSuchKeyError).key).toBe('nope');
        expect((err as NoSuchKeyError).bucket).toBe(bucket);
        await expect(store.headObject(bucket, 'nope')).rejects.toBeInstanceOf(NoSuchKeyError);
      });

      it('deletes idempotently', async () => {
        await putObject(store, bucket, 'd/k', Buffer.from('v'), meta('v'));
        await store.deleteObject(bucket, 'd/k');
        await store.deleteObject(bucket, 'd/k');
        await store.deleteObject(bucket, 'never-existed');
        await expect(store.getObject(bucket, 'd/k')).rejects.toBeInstanceOf(NoSuchKeyError);
        expect((await store.listObjects(bucket, { limit: 10 })).keys).toEqual([]);
      });

      it('accepts 1024-byte keys and rejects 1025-byte keys', async () => {
        const ok = 'k'.repeat(1024);
        await putObject(store, bucket, ok, Buffer.from('1024'), meta('1024'));
        expect((await getData(store, bucket, ok)).data.toString()).toBe('1024');
        const tooLong = 'é'.repeat(512) + 'k'; // 1025 bytes
        const err = await store.beginPut(bucket, tooLong).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(KeyTooLongError);
        expect((err as KeyTooLongError).key).toBe(tooLong);
        await expect(store.getObject(bucket, tooLong)).rejects.toBeInstanceOf(KeyTooLongError);
      });

      it('stores every odd key as its own object', async () => {
        for (const key of ODD_KEYS) {
          await putObject(store, bucket, key, Buffer.from(key, 'utf8'), meta(key));
        }
        for (const key of ODD_KEYS) {
          const got = await getData(store, bucket, key);
          expect(got.data.toString('utf8')).toBe(key);
          expect(got.metadata).toEqual(meta(key));
        }
        const listed = await store.listObjects(bucket, { limit: 1000 });
        expect(listed.keys).toEqual(keyOrder(ODD_KEYS));
      });

      it('keeps a, a/, a/b and a//b apart', async () => {
        const keys = ['a', 'a/', 'a/b', 'a//b'];
        for (const key of keys) await putObject(store, bucket, key, Buffer.from(key), meta(key));
        await store.deleteObject(bucket, 'a/');
        for (const key of ['a', 'a/b', 'a//b']) {
          expect((await getData(store, bucket, key)).data.toString()).toBe(key);
        }
        await expect(store.headObject(bucket, 'a/')).rejects.toBeInstanceOf(NoSuchKeyError);
        expect((await store.listObjects(bucket, { limit: 10 })).keys).toEqual(['a', 'a//b', 'a/b']);
      });

      it('overwrites with read-after-write', async () => {
        await putObject(store, bucket, 'k', Buffer.from('first'), meta('1'));
        await putObject(store, bucket, 'k', Buffer.from('second!'), meta('2'));
        const got = await getData(store, bucket, 'k');
        expect(got.data.toString()).toBe('second!');
        expect(got.metadata).toEqual(meta('2'));
        expect((await store.listObjects(bucket, { limit: 10 })).keys).toEqual(['k']);
      });

      it('keeps an open read handle on its version across overwrite and delete', async () => {
        const v1 = randomBytes(200_000);
        await putObject(store, bucket, 'k', v1, meta('1'));
        const handle = await store.getObject(bucket, 'k');
        try {
          await putObject(store, bucket, 'k', Buffer.from('v2'), meta('2'));
          expect((await getData(store, bucket, 'k')).data.toString()).toBe('v2');
          await store.deleteObject(bucket, 'k');
          expect(handle.metadata).toEqual(meta('1'));
          expect(handle.dataSize).toBe(v1.length);
          expect((await readAll(handle.read())).equals(v1)).toBe(true);
          expect((await readAll(handle.read({ start: 1000, end: 1999 }))).equals(v1.subarray(1000, 2000))).toBe(true);
        } finally {
          await handle.close();
        }
      });

      it('leaves exactly one whole winner of concurrent puts to one key', async () => {
        const versions = Array.from({ length: 10 }, (_, i) => ({
          data: Buffer.alloc(50_000 + i * 1000, i + 1),
          metadata: meta(`v${i}`),
        }));
        await Promise.all(versions.map((v) => putObject(store, bucket, 'contended', v.data, v.metadata)));
        const got = await getData(store, bucket, 'contended');
        const winner = versions.find((v) => v.metadata.equals(got.metadata));
        expect(winner).toBeDefined();
        expect(got.data.equals(winner!.data)).toBe(true);
        expect((await store.listObjects(bucket, { limit: 10 })).keys).toEqual(['contended']);
      });

      it('makes nothing visible when a write is aborted or its stream destroyed', async () => {
        await putObject(store, bucket, 'kept', Buffer.from('old'), meta('old'));

        const aborted = await store.beginPut(bucket, 'new');
        aborted.stream.write(Buffer.alloc(70_000, 1));
        await aborted.abort();
        await aborted.abort(); // idempotent
        await expect(store.headObject(bucket, 'new')).rejects.toBeInstanceOf(NoSuchKeyError);

        const destroyed = await store.beginPut(bucket, 'kept');
        const streamError = new Promise((resolve) => destroyed.stream.once('error', resolve));
        destroyed.stream.write(Buffer.alloc(70_000, 2));
        destroyed.stream.destroy(new Error('client went away'));
        expect(await streamError).toEqual(new Error('client went away'));
        await expect(destroyed.commit(meta('broken'))).rejects.toThrow();
        await destroyed.abort();
        const kept = await getData(store, bucket, 'kept');
        expect(kept.data.toString()).toBe('old');
        expect(kept.metadata).toEqual(meta('old'));

        const late = await store.beginPut(bucket, 'late');
        late.stream.end(Buffer.from('complete but never committed'));
        await late.abort();
        await expect(late.commit(meta('late'))).rejects.toThrow();
        expect((await store.listObjects(bucket, { limit: 10 })).keys).toEqual(['kept']);
      });
    });

    describe('listing', () => {
      const putAll = async (keys: readonly string[]): Promise<void> => {
        for (const key of keys) await putObject(store, bucket, key, Buffer.from(key), meta(key));
      };

      it('orders keys by UTF-8 bytes, not by path or by JS strings', async () => {
        const keys = ['a/b', 'a-b', 'a.b', 'a0', 'a', 'a/', 'ab', 'z', 'é', '😀', '\uFFFD', 'A', '~'];
        await putAll(keys);
        const listed = (await store.listObjects(bucket, { limit: 100 })).keys;
        expect(listed).toEqual(['A', 'a', 'a-b', 'a.b', 'a/', 'a/b', 'a0', 'ab', 'z', '~', 'é', '\uFFFD', '😀']);
        expect(listed).not.toEqual([...keys].sort()); // JS order puts the astral char first
      });

      it('filters by prefix, including partial components', async () => {
        await putAll(['logs/2024/a', 'logs/2024/b', 'logs/2025/a', 'logs-old', 'logs', 'log', 'other/x']);
        const list = async (prefix: string): Promise<string[]> => (await store.listObjects(bucket, { prefix, limit: 100 })).keys;
        expect(await list('logs/')).toEqual(['logs/2024/a', 'logs/2024/b', 'logs/2025/a']);
        expect(await list('logs/202')).toEqual(['logs/2024/a', 'logs/2024/b', 'logs/2025/a']);
        expect(await list('logs/2024/')).toEqual(['logs/2024/a', 'logs/2024/b']);
        expect(await list('logs')).toEqual(['logs', 'logs-old', 'logs/2024/a', 'logs/2024/b', 'logs/2025/a']);
        expect(await list('logs/2026')).toEqual([]);
        expect(await list('nothing')).toEqual([]);
      });

      it('pages with startAfter and limit across many keys', async () => {
        const keys: string[] = [];
        for (let i = 0; i < 60; i++) {
          keys.push(`dir/${String(i).padStart(3, '0')}`, `dir-${i}`, `d/${i}/x`, `${'p'.repeat(i * 3)}q`);
        }
        await Promise.all(keys.map((key) => putObject(store, bucket, key, Buffer.from(key), meta(key))));
        const all: string[] = [];
        let startAfter: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await store.listObjects(bucket, { startAfter, limit: 7 });
          all.push(...page.keys);
          pages++;
          if (!page.isTruncated) break;
          expect(page.keys.length).toBe(7);
          startAfter = page.keys[page.keys.length - 1];
        }
        expect(all).toEqual(keyOrder(keys));
        expect(pages).toBe(Math.ceil(keys.length / 7));
      });

      it('combines prefix with startAfter before, inside and after the prefix', async () => {
        await putAll(['a/1', 'a/2', 'a/3', 'b/1', 'c']);
        const list = async (startAfter: string): Promise<string[]> =>
          (await store.listObjects(bucket, { prefix: 'a/', startAfter, limit: 100 })).keys;
        expect(await list('')).toEqual(['a/1', 'a/2', 'a/3']);
        expect(await list('0')).toEqual(['a/1', 'a/2', 'a/3']);
        expect(await list('a/1')).toEqual(['a/2', 'a/3']);
        expect(await list('a/10')).toEqual(['a/2', 'a/3']);
        expect(await list('a/3')).toEqual([]);
        expect(await list('b')).toEqual([]);
      });

      it('says whether more keys follow a full page', async () => {
        await putAll(['k1', 'k2', 'k3']);
        expect(await store.listObjects(bucket, { limit: 3 })).toEqual({ keys: ['k1', 'k2', 'k3'], isTruncated: false });
        expect(await store.listObjects(bucket, { limit: 2 })).toEqual({ keys: ['k1', 'k2'], isTruncated: true });
        expect(await store.listObjects(bucket, { startAfter: 'k2', limit: 2 })).toEqual({ keys: ['k3'], isTruncated: false });
      });
    });
  });
}
