// ObjectStore contract: listing order, prefixes and paging.
import { describe, expect, it } from '@jest/globals';
import { keyOrder, meta, putObject, type ContractContext } from './contract-helpers.js';

export function describeListingCases(ctx: ContractContext): void {
  const { bucket } = ctx;
  describe('listing', () => {
    const putAll = async (keys: readonly string[]): Promise<void> => {
      for (const key of keys) await putObject(ctx.store(), bucket, key, Buffer.from(key), meta(key));
    };

    it('orders keys by UTF-8 bytes, not by path or by JS strings', async () => {
      const keys = ['a/b', 'a-b', 'a.b', 'a0', 'a', 'a/', 'ab', 'z', 'é', '😀', '\uFFFD', 'A', '~'];
      await putAll(keys);
      const listed = (await ctx.store().listObjects(bucket, { limit: 100 })).keys;
      expect(listed).toEqual(['A', 'a', 'a-b', 'a.b', 'a/', 'a/b', 'a0', 'ab', 'z', '~', 'é', '\uFFFD', '😀']);
      expect(listed).not.toEqual([...keys].sort()); // JS order puts the astral char first
    });

    it('filters by prefix, including partial components', async () => {
      await putAll(['logs/2024/a', 'logs/2024/b', 'logs/2025/a', 'logs-old', 'logs', 'log', 'other/x']);
      const list = async (prefix: string): Promise<string[]> => (await ctx.store().listObjects(bucket, { prefix, limit: 100 })).keys;
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
      await Promise.all(keys.map((key) => putObject(ctx.store(), bucket, key, Buffer.from(key), meta(key))));
      const all: string[] = [];
      let startAfter: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await ctx.store().listObjects(bucket, { startAfter, limit: 7 });
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
        (await ctx.store().listObjects(bucket, { prefix: 'a/', startAfter, limit: 100 })).keys;
      expect(await list('')).toEqual(['a/1', 'a/2', 'a/3']);
      expect(await list('0')).toEqual(['a/1', 'a/2', 'a/3']);
      expect(await list('a/1')).toEqual(['a/2', 'a/3']);
      expect(await list('a/10')).toEqual(['a/2', 'a/3']);
      expect(await list('a/3')).toEqual([]);
      expect(await list('b')).toEqual([]);
    });

    it('says whether more keys follow a full page', async () => {
      await putAll(['k1', 'k2', 'k3']);
      expect(await ctx.store().listObjects(bucket, { limit: 3 })).toEqual({ keys: ['k1', 'k2', 'k3'], isTruncated: false });
      expect(await ctx.store().listObjects(bucket, { limit: 2 })).toEqual({ keys: ['k1', 'k2'], isTruncated: true });
      expect(await ctx.store().listObjects(bucket, { startAfter: 'k2', limit: 2 })).toEqual({ keys: ['k3'], isTruncated: false });
    });
  });
}
