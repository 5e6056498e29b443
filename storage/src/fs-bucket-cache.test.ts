import { describe, expect, it } from '@jest/globals';
import { BucketCache } from './fs-bucket-cache.js';

/** A promise and its resolver, to hold a read in flight while a change happens. */
function gate<T>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

describe('bucket cache', () => {
  it('checks a bucket once, and again after it was deleted', async () => {
    const cache = new BucketCache();
    let checks = 0;
    const check = async (): Promise<void> => void checks++;
    await cache.assertExists('b', check);
    await cache.assertExists('b', check);
    expect(checks).toBe(1);
    cache.deleted('b');
    await expect(cache.assertExists('b', async () => { throw new Error('gone'); })).rejects.toThrow('gone');
  });

  it('does not remember an existence check that was in flight while the bucket was deleted', async () => {
    const cache = new BucketCache();
    const held = gate<void>();
    const inFlight = cache.assertExists('b', () => held.promise);
    cache.deleted('b');
    held.open();
    await inFlight;
    let checked = false;
    await cache.assertExists('b', async () => void (checked = true));
    expect(checked).toBe(true);
  });

  it('does not cache a configuration read that a write overtook', async () => {
    const cache = new BucketCache();
    const held = gate<Buffer | null>();
    const staleRead = cache.config('b', () => held.promise);
    await cache.writeConfig('b', Buffer.from('new'), async () => {});
    held.open(Buffer.from('old'));
    expect((await staleRead)?.toString()).toBe('old');
    expect((await cache.config('b', async () => Buffer.from('disk')))?.toString()).toBe('new');
  });

  it('forgets the configuration when a write fails', async () => {
    const cache = new BucketCache();
    await cache.writeConfig('b', Buffer.from('one'), async () => {});
    await expect(cache.writeConfig('b', Buffer.from('two'), async () => { throw new Error('disk full'); })).rejects.toThrow('disk full');
    expect((await cache.config('b', async () => Buffer.from('on disk')))?.toString()).toBe('on disk');
  });
});
