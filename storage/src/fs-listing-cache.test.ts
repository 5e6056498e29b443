import { describe, expect, it } from '@jest/globals';
import { listingEntry } from './contract-helpers.js';
import { SummaryCache } from './fs-listing-cache.js';
import type { ListingEntry } from './object-store.js';

const entries = (dir: string, names: string[]): Map<string, ListingEntry> => new Map(names.map((name) => [name, listingEntry(`${dir}/${name}`)]));

describe('SummaryCache (entries by directory)', () => {
  it('installs a summary whole, keeps what is already cached, and follows commits and deletes', () => {
    const cache = new SummaryCache(100);
    const newer = listingEntry('newer', 99);
    cache.committed('/k/a/oone', newer);
    cache.learned('/k/a', entries('/k/a', ['oone', 'otwo']));
    expect(cache.peek('/k/a', 'oone')).toBe(newer); // a summary never overrides what this process committed
    expect(cache.peek('/k/a', 'otwo')).toEqual(listingEntry('/k/a/otwo'));
    cache.forget('/k/a/otwo');
    expect(cache.peek('/k/a', 'otwo')).toBeUndefined();
    cache.committed('/k/a/oone', null); // replaced by a record without an entry
    expect(cache.peek('/k/a', 'oone')).toBeUndefined();
  });

  it('forgets a bucket tree, records directly in its root included, and nothing beside it', () => {
    const cache = new SummaryCache(100);
    cache.learned('/b1/keys', entries('/b1/keys', ['otop']));
    cache.learned('/b1/keys/da', entries('/b1/keys/da', ['oin']));
    cache.learned('/b1/keys2', entries('/b1/keys2', ['oother']));
    cache.forgetTree('/b1/keys');
    expect(cache.peek('/b1/keys', 'otop')).toBeUndefined();
    expect(cache.peek('/b1/keys/da', 'oin')).toBeUndefined();
    expect(cache.peek('/b1/keys2', 'oother')).toBeDefined();
  });

  it('stays within its bound, evicting the oldest directory first', () => {
    const cache = new SummaryCache(4);
    cache.learned('/k/old', entries('/k/old', ['o1', 'o2']));
    cache.learned('/k/mid', entries('/k/mid', ['o1', 'o2']));
    cache.learned('/k/new', entries('/k/new', ['o1']));
    expect(cache.peek('/k/old', 'o1')).toBeUndefined();
    expect(cache.peek('/k/mid', 'o2')).toBeDefined();
    expect(cache.peek('/k/new', 'o1')).toBeDefined();
    cache.learned('/k/huge', entries('/k/huge', ['o1', 'o2', 'o3', 'o4', 'o5'])); // bigger than the bound: not kept
    expect(cache.peek('/k/huge', 'o1')).toBeUndefined();
    expect(cache.peek('/k/mid', 'o2')).toBeDefined();
  });
});
