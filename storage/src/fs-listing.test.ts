import { describe, expect, it } from '@jest/globals';
import { listingEntry } from './contract-helpers.js';
import { withEntries, type EntryLookup, type WalkedKey } from './fs-listing.js';
import type { ListingEntry } from './object-store.js';

const walked = (dir: string, name: string): { kind: 'object'; walked: WalkedKey } => ({ kind: 'object', walked: { key: Buffer.from(`${dir}${name}`), dir, name } });

describe('withEntries', () => {
  it('primes each cold directory of a page once and reads records only for what priming lacks', async () => {
    const cached = new Map<string, ListingEntry>([['hot/o1', listingEntry('hot')]]);
    const primed: string[] = [];
    const loaded: string[] = [];
    const lookup: EntryLookup = {
      peek: ({ dir, name }) => cached.get(`${dir}/${name}`),
      prime: (dir) => {
        primed.push(dir);
        return Promise.resolve().then(() => {
          if (dir === 'cold') for (const name of ['o1', 'o2']) cached.set(`${dir}/${name}`, listingEntry(name));
        });
      },
      load: async ({ dir, name }) => {
        loaded.push(`${dir}/${name}`);
        return name === 'ogone' ? undefined : listingEntry('read');
      },
    };
    const names = [walked('hot', 'o1'), walked('cold', 'o1'), walked('cold', 'o2'), walked('cold', 'o3'), walked('bare', 'ogone'), { kind: 'prefix' as const, prefix: Buffer.from('p/') }];
    const items = await withEntries(names, lookup);
    expect(primed).toEqual(['cold', 'bare']);
    expect(loaded).toEqual(['cold/o3', 'bare/ogone']);
    expect(items).toEqual([
      { kind: 'object', key: 'hoto1', entry: listingEntry('hot') },
      { kind: 'object', key: 'coldo1', entry: listingEntry('o1') },
      { kind: 'object', key: 'coldo2', entry: listingEntry('o2') },
      { kind: 'object', key: 'coldo3', entry: listingEntry('read') },
      { kind: 'prefix', prefix: 'p/' },
    ]);
  });
});
