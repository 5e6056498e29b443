// ObjectStore contract: single objects (round trips, ranges, odd keys, overwrite,
// concurrency, aborted writes).
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { KeyTooLongError, NoSuchKeyError } from './errors.js';
import { getData, keyOrder, keysOf, meta, ODD_KEYS, putObject, readAll, type ContractContext } from './contract-helpers.js';

export function describeObjectCases(ctx: ContractContext): void {
  const { bucket } = ctx;
  describe('objects', () => {
    it('round-trips data and metadata, and heads without the data', async () => {
      const data = randomBytes(300_000);
      await putObject(ctx.store(), bucket, 'photos/cat.jpg', data, meta('cat'));
      const got = await getData(ctx.store(), bucket, 'photos/cat.jpg');
      expect(got.data.equals(data)).toBe(true);
      expect(got.metadata).toEqual(meta('cat'));
      expect(await ctx.store().headObject(bucket, 'photos/cat.jpg')).toEqual({ metadata: meta('cat'), dataSize: 300_000 });
    });

    it('stores an empty object', async () => {
      await putObject(ctx.store(), bucket, 'empty', Buffer.alloc(0), Buffer.alloc(0));
      const object = await ctx.store().getObject(bucket, 'empty');
      expect(object.dataSize).toBe(0);
      expect(object.metadata.length).toBe(0);
      expect((await readAll(object.read())).length).toBe(0);
      await object.close();
      await object.close(); // idempotent
    });

    it('reads inclusive byte ranges, several from one handle', async () => {
      const data = Buffer.from('0123456789abcdefghij');
      await putObject(ctx.store(), bucket, 'r', data, meta('r'));
      const object = await ctx.store().getObject(bucket, 'r');
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
      const err = await ctx.store().getObject(bucket, 'nope').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NoSuchKeyError);
      expect((err as NoSuchKeyError).key).toBe('nope');
      expect((err as NoSuchKeyError).bucket).toBe(bucket);
      await expect(ctx.store().headObject(bucket, 'nope')).rejects.toBeInstanceOf(NoSuchKeyError);
    });

    it('deletes idempotently', async () => {
      await putObject(ctx.store(), bucket, 'd/k', Buffer.from('v'), meta('v'));
      await ctx.store().deleteObject(bucket, 'd/k');
      await ctx.store().deleteObject(bucket, 'd/k');
      await ctx.store().deleteObject(bucket, 'never-existed');
      await expect(ctx.store().getObject(bucket, 'd/k')).rejects.toBeInstanceOf(NoSuchKeyError);
      expect(keysOf(await ctx.store().listObjects(bucket, { limit: 10 }))).toEqual([]);
    });

    it('accepts 1024-byte keys and rejects 1025-byte keys', async () => {
      const ok = 'k'.repeat(1024);
      await putObject(ctx.store(), bucket, ok, Buffer.from('1024'), meta('1024'));
      expect((await getData(ctx.store(), bucket, ok)).data.toString()).toBe('1024');
      const tooLong = 'é'.repeat(512) + 'k'; // 1025 bytes
      const err = await ctx.store().beginPut(bucket, tooLong).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeyTooLongError);
      expect((err as KeyTooLongError).key).toBe(tooLong);
      await expect(ctx.store().getObject(bucket, tooLong)).rejects.toBeInstanceOf(KeyTooLongError);
    });

    it('stores every odd key as its own object', async () => {
      for (const key of ODD_KEYS) {
        await putObject(ctx.store(), bucket, key, Buffer.from(key, 'utf8'), meta(key));
      }
      for (const key of ODD_KEYS) {
        const got = await getData(ctx.store(), bucket, key);
        expect(got.data.toString('utf8')).toBe(key);
        expect(got.metadata).toEqual(meta(key));
      }
      const listed = await ctx.store().listObjects(bucket, { limit: 1000 });
      expect(keysOf(listed)).toEqual(keyOrder(ODD_KEYS));
    });

    it('keeps a, a/, a/b and a//b apart', async () => {
      const keys = ['a', 'a/', 'a/b', 'a//b'];
      for (const key of keys) await putObject(ctx.store(), bucket, key, Buffer.from(key), meta(key));
      await ctx.store().deleteObject(bucket, 'a/');
      for (const key of ['a', 'a/b', 'a//b']) {
        expect((await getData(ctx.store(), bucket, key)).data.toString()).toBe(key);
      }
      await expect(ctx.store().headObject(bucket, 'a/')).rejects.toBeInstanceOf(NoSuchKeyError);
      expect(keysOf(await ctx.store().listObjects(bucket, { limit: 10 }))).toEqual(['a', 'a//b', 'a/b']);
    });

    it('overwrites with read-after-write', async () => {
      await putObject(ctx.store(), bucket, 'k', Buffer.from('first'), meta('1'));
      await putObject(ctx.store(), bucket, 'k', Buffer.from('second!'), meta('2'));
      const got = await getData(ctx.store(), bucket, 'k');
      expect(got.data.toString()).toBe('second!');
      expect(got.metadata).toEqual(meta('2'));
      expect(keysOf(await ctx.store().listObjects(bucket, { limit: 10 }))).toEqual(['k']);
    });

    it('keeps an open read handle on its version across overwrite and delete', async () => {
      const v1 = randomBytes(200_000);
      await putObject(ctx.store(), bucket, 'k', v1, meta('1'));
      const handle = await ctx.store().getObject(bucket, 'k');
      try {
        await putObject(ctx.store(), bucket, 'k', Buffer.from('v2'), meta('2'));
        expect((await getData(ctx.store(), bucket, 'k')).data.toString()).toBe('v2');
        await ctx.store().deleteObject(bucket, 'k');
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
      await Promise.all(versions.map((v) => putObject(ctx.store(), bucket, 'contended', v.data, v.metadata)));
      const got = await getData(ctx.store(), bucket, 'contended');
      const winner = versions.find((v) => v.metadata.equals(got.metadata));
      expect(winner).toBeDefined();
      expect(got.data.equals(winner!.data)).toBe(true);
      expect(keysOf(await ctx.store().listObjects(bucket, { limit: 10 }))).toEqual(['contended']);
    });

    it('makes nothing visible when a write is aborted or its stream destroyed', async () => {
      await putObject(ctx.store(), bucket, 'kept', Buffer.from('old'), meta('old'));

      const aborted = await ctx.store().beginPut(bucket, 'new');
      aborted.stream.write(Buffer.alloc(70_000, 1));
      await aborted.abort();
      await aborted.abort(); // idempotent
      await expect(ctx.store().headObject(bucket, 'new')).rejects.toBeInstanceOf(NoSuchKeyError);

      const destroyed = await ctx.store().beginPut(bucket, 'kept');
      const streamError = new Promise((resolve) => destroyed.stream.once('error', resolve));
      destroyed.stream.write(Buffer.alloc(70_000, 2));
      destroyed.stream.destroy(new Error('client went away'));
      expect(await streamError).toEqual(new Error('client went away'));
      await expect(destroyed.commit(meta('broken'))).rejects.toThrow();
      await destroyed.abort();
      const kept = await getData(ctx.store(), bucket, 'kept');
      expect(kept.data.toString()).toBe('old');
      expect(kept.metadata).toEqual(meta('old'));

      const late = await ctx.store().beginPut(bucket, 'late');
      late.stream.end(Buffer.from('complete but never committed'));
      await late.abort();
      await expect(late.commit(meta('late'))).rejects.toThrow();
      expect(keysOf(await ctx.store().listObjects(bucket, { limit: 10 }))).toEqual(['kept']);
    });
  });

}
