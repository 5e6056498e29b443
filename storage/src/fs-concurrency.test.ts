// Deletes and puts racing over shared folders of the filesystem backend: a delete that
// empties a folder prunes it while siblings are still being deleted from, and puts arrive
// into it. None of them may fail.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getData, keysOf, putObject } from './contract-helpers.js';
import { FsObjectStore } from './fs-store.js';

const BUCKET = 'race';

/** a0..a9 / b0..b9 / c0..cM / k0..kN, and a key beside each c folder: few keys per folder, and many folders. */
function nestedKeys(folders: number, perFolder: number): string[] {
  const keys: string[] = [];
  for (let a = 0; a < 10; a++) {
    for (let b = 0; b < 10; b++) {
      keys.push(`a${a}/b${b}`);
      for (let c = 0; c < folders; c++) for (let k = 0; k < perFolder; k++) keys.push(`a${a}/b${b}/c${c}/k${k}`);
    }
  }
  return keys;
}

/** Runs fn over items with at most `width` in flight. */
async function inParallel<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/**
 * Starts fn after a random pause of up to `spreadMs`. Launched all at once, the operations
 * would move through their steps in lockstep; spread out, deletes of one folder overlap at
 * every step, which is where a prune meets a sibling's fsync or a put's rename.
 */
async function staggered(spreadMs: number, fn: () => Promise<void>): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, Math.random() * spreadMs));
  await fn();
}

/** Settles every promise and returns the failures. */
async function failures(promises: Promise<unknown>[]): Promise<unknown[]> {
  const results = await Promise.allSettled(promises);
  return results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
}

describe('FsObjectStore under concurrent deletes', () => {
  let dir: string;
  let store: FsObjectStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kmsgate-race-'));
    store = await FsObjectStore.open(join(dir, 'root'));
    await store.createBucket(BUCKET);
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('deletes a thousand keys sharing folders concurrently without an error, and prunes every folder', async () => {
    const keys = nestedKeys(5, 2);
    expect(keys.length).toBeGreaterThan(1000);
    await inParallel(keys, 32, (key) => putObject(store, BUCKET, key, Buffer.from(key), Buffer.from('m')));
    expect(await failures(keys.map((key) => staggered(1000, () => store.deleteObject(BUCKET, key))))).toEqual([]);
    expect(await readdir(join(dir, 'root', 'buckets', (await readdir(join(dir, 'root', 'buckets')))[0]!, 'keys'))).toEqual([]);
    expect(keysOf(await store.listObjects(BUCKET, { limit: 10 }))).toEqual([]);
  }, 300_000);

  it('lets puts into folders being pruned succeed while their siblings are deleted', async () => {
    const old = nestedKeys(2, 2);
    await inParallel(old, 32, (key) => putObject(store, BUCKET, key, Buffer.from(key), Buffer.from('m')));
    const fresh = nestedKeys(2, 1).map((key) => `${key}-new`);
    const racing = [
      ...old.map((key) => staggered(1000, () => store.deleteObject(BUCKET, key))),
      ...fresh.map((key) => staggered(1000, () => putObject(store, BUCKET, key, Buffer.from(key), Buffer.from('n')))),
    ];
    expect(await failures(racing)).toEqual([]);
    const listed = keysOf(await store.listObjects(BUCKET, { limit: fresh.length + 1 }));
    expect(listed.sort()).toEqual([...fresh].sort());
    for (const key of fresh.slice(0, 50)) expect((await getData(store, BUCKET, key)).data.toString()).toBe(key);
  }, 300_000);
});
