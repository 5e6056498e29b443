// ObjectStore contract: listing order, prefixes, delimiters, paging and listing entries.
import { describe, expect, it } from '@jest/globals';
import { keyOrder, keysOf, listingEntry, meta, putObject, type ContractContext } from './contract-helpers.js';
import type { ListedItem, ListingEntry, ListOptions } from './object-store.js';

type Item = { kind: 'object'; key: string } | { kind: 'prefix'; prefix: string };

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

/** What a page must hold, straight from the definition (S3's ListObjects semantics). */
function expectedPage(keys: readonly string[], opts: Omit<ListOptions, 'describe'>): { items: Item[]; isTruncated: boolean } {
  const prefix = bytes(opts.prefix ?? '');
  const after = opts.startAfter === undefined ? null : bytes(opts.startAfter);
  const delimiter = opts.delimiter ? bytes(opts.delimiter) : null;
  const items: Item[] = [];
  for (const key of keyOrder(keys)) {
    const k = bytes(key);
    if (!k.subarray(0, prefix.length).equals(prefix) || k.length < prefix.length) continue;
    if (after && Buffer.compare(k, after) <= 0) continue;
    let item: Item = { kind: 'object', key };
    const at = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
    if (delimiter && at >= 0) {
      const cp = k.subarray(0, at + delimiter.length);
      if (after && Buffer.compare(cp, after) <= 0) continue;
      const last = items[items.length - 1];
      if (last?.kind === 'prefix' && last.prefix === cp.toString('utf8')) continue;
      item = { kind: 'prefix', prefix: cp.toString('utf8') };
    }
    if (items.length === opts.limit) return { items, isTruncated: true };
    items.push(item);
  }
  return { items, isTruncated: false };
}

const shape = (items: readonly ListedItem[]): Item[] =>
  items.map((i) => (i.kind === 'object' ? { kind: 'object', key: i.key } : { kind: 'prefix', prefix: i.prefix }));

const lastOf = (item: ListedItem): string => (item.kind === 'object' ? item.key : item.prefix);

/** Keys that stress the layout: separators, empty components, long components, unicode. */
const TREE_KEYS: readonly string[] = [
  'a', 'a/', 'a//', 'a//b', 'a/b', 'a/b/', 'a/b/c', 'a/b/c/d', 'a/bc', 'a-b', 'a.b', 'a0', 'ab', 'b/', '/', '//', '/x',
  'photos/2024/01/a.jpg', 'photos/2024/01/b.jpg', 'photos/2024/02/a.jpg', 'photos/2025/x.jpg', 'photos/index',
  'é/ü', 'é/中文', '😀/x', '\uFFFD', 'ctrl\u0001\u001f', 'amp&lt<>"\'', 'space key/ x', 'plus+key',
  `${'l'.repeat(63)}/x`, `${'l'.repeat(64)}/x`, `${'l'.repeat(65)}`, `${'l'.repeat(130)}/y/z`,
  'z'.repeat(1024), `${'q/'.repeat(511)}q`,
];

export function describeListingCases(ctx: ContractContext): void {
  const { bucket } = ctx;
  describe('listing', () => {
    const putAll = async (keys: readonly string[]): Promise<void> => {
      for (const key of keys) await putObject(ctx.store(), bucket, key, Buffer.from(key), meta(key), { listing: listingEntry(key) });
    };
    const list = (opts: ListOptions): Promise<{ items: ListedItem[]; isTruncated: boolean }> => ctx.store().listObjects(bucket, opts);

    it('orders keys by UTF-8 bytes, not by path or by JS strings', async () => {
      const keys = ['a/b', 'a-b', 'a.b', 'a0', 'a', 'a/', 'ab', 'z', 'é', '😀', '\uFFFD', 'A', '~'];
      await putAll(keys);
      const listed = keysOf(await list({ limit: 100 }));
      expect(listed).toEqual(['A', 'a', 'a-b', 'a.b', 'a/', 'a/b', 'a0', 'ab', 'z', '~', 'é', '\uFFFD', '😀']);
      expect(listed).not.toEqual([...keys].sort()); // JS order puts the astral char first
    });

    it('filters by prefix, including partial components', async () => {
      await putAll(['logs/2024/a', 'logs/2024/b', 'logs/2025/a', 'logs-old', 'logs', 'log', 'other/x']);
      const under = async (prefix: string): Promise<string[]> => keysOf(await list({ prefix, limit: 100 }));
      expect(await under('logs/')).toEqual(['logs/2024/a', 'logs/2024/b', 'logs/2025/a']);
      expect(await under('logs/202')).toEqual(['logs/2024/a', 'logs/2024/b', 'logs/2025/a']);
      expect(await under('logs/2024/')).toEqual(['logs/2024/a', 'logs/2024/b']);
      expect(await under('logs')).toEqual(['logs', 'logs-old', 'logs/2024/a', 'logs/2024/b', 'logs/2025/a']);
      expect(await under('logs/2026')).toEqual([]);
      expect(await under('nothing')).toEqual([]);
    });

    it('pages with startAfter and limit across many keys', async () => {
      const keys: string[] = [];
      for (let i = 0; i < 60; i++) {
        keys.push(`dir/${String(i).padStart(3, '0')}`, `dir-${i}`, `d/${i}/x`, `${'p'.repeat(i * 3)}q`);
      }
      await Promise.all(keys.map((key) => putObject(ctx.store(), bucket, key, Buffer.from(key), meta(key), { listing: listingEntry(key) })));
      const all: string[] = [];
      let startAfter: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await list({ startAfter, limit: 7 });
        all.push(...keysOf(page));
        pages++;
        if (!page.isTruncated) break;
        expect(page.items.length).toBe(7);
        startAfter = lastOf(page.items[page.items.length - 1]);
      }
      expect(all).toEqual(keyOrder(keys));
      expect(pages).toBe(Math.ceil(keys.length / 7));
    });

    it('combines prefix with startAfter before, inside and after the prefix', async () => {
      await putAll(['a/1', 'a/2', 'a/3', 'b/1', 'c']);
      const from = async (startAfter: string): Promise<string[]> => keysOf(await list({ prefix: 'a/', startAfter, limit: 100 }));
      expect(await from('')).toEqual(['a/1', 'a/2', 'a/3']);
      expect(await from('0')).toEqual(['a/1', 'a/2', 'a/3']);
      expect(await from('a/1')).toEqual(['a/2', 'a/3']);
      expect(await from('a/10')).toEqual(['a/2', 'a/3']);
      expect(await from('a/3')).toEqual([]);
      expect(await from('b')).toEqual([]);
    });

    it('says whether more items follow a full page', async () => {
      await putAll(['k1', 'k2', 'k3']);
      expect(shape((await list({ limit: 3 })).items).length).toBe(3);
      expect((await list({ limit: 3 })).isTruncated).toBe(false);
      expect((await list({ limit: 2 })).isTruncated).toBe(true);
      expect(keysOf(await list({ limit: 2 }))).toEqual(['k1', 'k2']);
      expect(await list({ startAfter: 'k2', limit: 2 })).toMatchObject({ isTruncated: false });
      expect(await list({ limit: 0 })).toEqual({ items: [], isTruncated: true });
    });

    it('rolls keys up into common prefixes, counted toward the limit, for every prefix, delimiter and bound', async () => {
      await putAll(TREE_KEYS);
      const prefixes = ['', 'a', 'a/', 'a//', 'a/b', 'photos/', 'photos/2024/', 'é', '/', 'l'.repeat(64), 'q/q/', 'nothing'];
      const delimiters = [undefined, '/', '//', 'b', 'é/'];
      const bounds = [undefined, 'a', 'a/b/', 'photos/2024/', 'photos/2024/01/b.jpg', '\uFFFD'];
      for (const prefix of prefixes) {
        for (const delimiter of delimiters) {
          for (const startAfter of bounds) {
            const opts = { prefix, delimiter, startAfter, limit: 1000 };
            const page = await list(opts);
            const expected = expectedPage(TREE_KEYS, opts);
            expect([opts, shape(page.items), page.isTruncated]).toEqual([opts, expected.items, expected.isTruncated]);
          }
        }
      }
    });

    it('pages through common prefixes and objects alike, each item once', async () => {
      await putAll(TREE_KEYS);
      for (const [prefix, delimiter] of [['', '/'], ['a', '/'], ['photos/', '/'], ['', 'l'], ['q/', '/']] as const) {
        for (const limit of [1, 2, 3]) {
          const seen: Item[] = [];
          let startAfter: string | undefined;
          for (let pages = 0; ; pages++) {
            expect(pages).toBeLessThan(200);
            const page = await list({ prefix, delimiter, startAfter, limit });
            expect(page.items.length).toBeLessThanOrEqual(limit);
            seen.push(...shape(page.items));
            if (!page.isTruncated) break;
            startAfter = lastOf(page.items[page.items.length - 1]);
          }
          expect([prefix, delimiter, limit, seen]).toEqual([prefix, delimiter, limit, expectedPage(TREE_KEYS, { prefix, delimiter, limit: 1000 }).items]);
        }
      }
    });

    it('gives each object the listing entry committed with it, through overwrite and delete', async () => {
      const entry = (key: string, size: number): ListingEntry => ({ ...listingEntry(key, size), checksumAlgorithm: 'CRC32', checksumType: 'FULL_OBJECT' });
      await putObject(ctx.store(), bucket, 'x/1', Buffer.from('data'), meta('1'), { listing: entry('x/1', 11) });
      await putObject(ctx.store(), bucket, 'x/2', Buffer.from('data'), meta('2'), { listing: listingEntry('x/2', 22) });
      expect((await list({ limit: 10 })).items).toEqual([
        { kind: 'object', key: 'x/1', entry: entry('x/1', 11) },
        { kind: 'object', key: 'x/2', entry: listingEntry('x/2', 22) },
      ]);
      await putObject(ctx.store(), bucket, 'x/1', Buffer.from('other'), meta('1b'), { listing: listingEntry('x/1b', 33) });
      await ctx.store().deleteObject(bucket, 'x/2');
      expect((await list({ limit: 10 })).items).toEqual([{ kind: 'object', key: 'x/1', entry: listingEntry('x/1b', 33) }]);
      await putObject(ctx.store(), bucket, 'x/2', Buffer.from('again'), meta('2b'), { listing: listingEntry('x/2b', 44) });
      expect((await list({ prefix: 'x/', delimiter: '/', limit: 10 })).items).toEqual([
        { kind: 'object', key: 'x/1', entry: listingEntry('x/1b', 33) },
        { kind: 'object', key: 'x/2', entry: listingEntry('x/2b', 44) },
      ]);
    });

    it('describes objects committed without an entry through the caller, or lists them with none', async () => {
      await putObject(ctx.store(), bucket, 'old', Buffer.from('data'), meta('old'));
      await putObject(ctx.store(), bucket, 'new', Buffer.from('data'), meta('new'), { listing: listingEntry('new') });
      const describe = (metadata: Buffer): ListingEntry => listingEntry(metadata.toString('utf8'), 99);
      expect((await list({ limit: 10, describe })).items).toEqual([
        { kind: 'object', key: 'new', entry: listingEntry('new') },
        { kind: 'object', key: 'old', entry: listingEntry('meta:old', 99) },
      ]);
      const failing = (): ListingEntry => {
        throw new Error('cannot describe');
      };
      const [, old] = (await list({ limit: 10, describe: failing })).items;
      expect(old).toMatchObject({ kind: 'object', key: 'old' });
      await putObject(ctx.store(), bucket, 'old', Buffer.from('data'), meta('old2'), { listing: listingEntry('old2') });
      expect((await list({ limit: 10, describe: failing })).items[1]).toEqual({ kind: 'object', key: 'old', entry: listingEntry('old2') });
    });

    it('stays exact under concurrent commits and deletes of the listed keys', async () => {
      const keys = Array.from({ length: 120 }, (_, i) => `c/${i % 4}/${String(i).padStart(3, '0')}`);
      await putAll(keys.slice(0, 60));
      const writes = Promise.all([
        ...keys.slice(60).map((key) => putObject(ctx.store(), bucket, key, Buffer.from(key), meta(key), { listing: listingEntry(key, 5) })),
        ...keys.slice(0, 30).map((key) => ctx.store().deleteObject(bucket, key)),
        ...keys.slice(30, 60).map((key) => putObject(ctx.store(), bucket, key, Buffer.from(key), meta(key), { listing: listingEntry(key, 7) })),
      ]);
      // Listings while writes land: any answer is a sorted set of real keys.
      for (let i = 0; i < 5; i++) {
        const seen = keysOf(await list({ prefix: 'c/', limit: 1000 }));
        expect(seen).toEqual(keyOrder(seen));
        for (const key of seen) expect(keys).toContain(key);
      }
      await writes;
      const page = await list({ prefix: 'c/', limit: 1000 });
      expect(keysOf(page)).toEqual(keyOrder(keys.slice(30)));
      for (const item of page.items) {
        if (item.kind !== 'object') throw new Error('no prefixes without a delimiter');
        expect(item.entry?.size).toBe(keys.indexOf(item.key) < 60 ? 7 : 5);
      }
      expect(shape((await list({ prefix: 'c/', delimiter: '/', limit: 1000 })).items)).toEqual(
        ['c/0/', 'c/1/', 'c/2/', 'c/3/'].map((prefix) => ({ kind: 'prefix', prefix })),
      );
    });
  });
}
