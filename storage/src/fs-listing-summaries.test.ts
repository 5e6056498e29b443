import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listingEntry, putObject } from './contract-helpers.js';
import { FsLayout } from './fs-layout.js';
import { PersistedSummaries, type SummarySource } from './fs-listing-summaries.js';
import { FsObjectStore, type FsObjectStoreOptions } from './fs-store.js';
import { isErrno } from './fs-util.js';
import type { ListedItem, ListingEntry } from './object-store.js';

/** Background rewrites only when a test asks (flushListingSummaries) or at close. */
const OPTIONS: FsObjectStoreOptions = { listingSummaryDelayMs: 3_600_000 };
const bucket = 'sums';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kmsgate-summaries-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function filesUnder(top: string): Promise<string[]> {
  const entries = await readdir(top, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

const keysDir = (root: string): string => join(root, 'buckets', `b${bucket}`, 'keys');
const summaryFiles = (root: string): Promise<string[]> => filesUnder(join(root, 'buckets', `b${bucket}`, 'summaries'));

/** Every record replaced by bytes no reader can parse: a listing can only show entries it did not read from them. */
async function spoilRecords(root: string): Promise<void> {
  for (const file of await filesUnder(keysDir(root))) await writeFile(file, 'not a record');
}

async function listAll(store: FsObjectStore): Promise<ListedItem[]> {
  return (await store.listObjects(bucket, { limit: 1000 })).items;
}

const object = (key: string, entry: ListingEntry | null = listingEntry(key)): ListedItem => ({ kind: 'object', key, entry });
const KEYS = ['a/1', 'a/2', 'a/b/3', 'top'];

async function storeWith(root: string, keys: readonly string[]): Promise<FsObjectStore> {
  const store = await FsObjectStore.open(root, OPTIONS);
  await store.createBucket(bucket);
  for (const key of keys) await putObject(store, bucket, key, Buffer.from(key), Buffer.from('m'), { listing: listingEntry(key) });
  return store;
}

describe('persisted listing summaries', () => {
  it('let a fresh store list a cleanly closed bucket without reading its records', async () => {
    const root = join(dir, 'root');
    await (await storeWith(root, KEYS)).close();
    expect((await summaryFiles(root)).length).toBe(3); // keys/, a/, a/b/
    await spoilRecords(root);
    const store = await FsObjectStore.open(root, OPTIONS);
    try {
      expect(await listAll(store)).toEqual(KEYS.map((key) => object(key)));
    } finally {
      await store.close();
    }
  });

  it('ignore a damaged summary, or one naming another directory, and read those records', async () => {
    const root = join(dir, 'root');
    await (await storeWith(root, KEYS)).close();
    const files = await summaryFiles(root);
    const byDir = new Map<string, string>();
    for (const file of files) {
      const bytes = await readFile(file);
      byDir.set(bytes.includes(Buffer.from('da/db')) ? 'a/b' : bytes.includes(Buffer.from('da')) ? 'a' : '', file);
    }
    // a/: one flipped byte; a/b/: keys/'s summary in its place.
    const damaged = await readFile(byDir.get('a')!);
    damaged[damaged.length - 40] ^= 1;
    await writeFile(byDir.get('a')!, damaged);
    await writeFile(byDir.get('a/b')!, await readFile(byDir.get('')!));
    await spoilRecords(root);
    const store = await FsObjectStore.open(root, OPTIONS);
    try {
      expect(await listAll(store)).toEqual([object('a/1', null), object('a/2', null), object('a/b/3', null), object('top')]);
    } finally {
      await store.close();
    }
  });

  it('are not trusted after a session that did not close, and are rebuilt from the records', async () => {
    const root = join(dir, 'root');
    const image = join(dir, 'crashed');
    await (await storeWith(root, KEYS)).close();
    const store = await FsObjectStore.open(root, OPTIONS);
    await cp(root, image, { recursive: true }); // the disk as a crash would leave it, unchanged
    await store.close();
    await spoilRecords(image);
    const reopened = await FsObjectStore.open(image, OPTIONS);
    try {
      expect(await listAll(reopened)).toEqual(KEYS.map((key) => object(key, null)));
    } finally {
      await reopened.close();
    }
  });

  it('after a crash, list overwrites (new size and ETag), deletes and new keys as committed', async () => {
    const root = join(dir, 'root');
    await (await storeWith(root, [...KEYS, 'a/4'])).close();
    const store = await FsObjectStore.open(root, OPTIONS);
    expect(await listAll(store)).toHaveLength(5); // summaries consulted
    await putObject(store, bucket, 'a/1', Buffer.from('longer'), Buffer.from('m'), { listing: listingEntry('a/1 again', 6) });
    await store.deleteObject(bucket, 'a/2');
    await putObject(store, bucket, 'a/5', Buffer.from('5'), Buffer.from('m'), { listing: listingEntry('a/5') });
    await store.flushListingSummaries(); // rewritten in this session ...
    await putObject(store, bucket, 'a/4', Buffer.from('changed'), Buffer.from('m'), { listing: listingEntry('a/4 again', 7) });
    await store.deleteObject(bucket, 'a/b/3'); // ... and changed again after, as the one below
    const image = join(dir, 'crashed');
    await cp(root, image, { recursive: true });
    await store.close();
    const truth = [object('a/1', listingEntry('a/1 again', 6)), object('a/4', listingEntry('a/4 again', 7)), object('a/5'), object('top')];
    for (let session = 0; session < 2; session++) {
      const reopened = await FsObjectStore.open(image, OPTIONS);
      try {
        expect(await listAll(reopened)).toEqual(truth);
      } finally {
        await reopened.close(); // the second session lists from the summaries the first wrote
      }
    }
    await spoilRecords(image);
    const last = await FsObjectStore.open(image, OPTIONS);
    try {
      expect(await listAll(last)).toEqual(truth);
    } finally {
      await last.close();
    }
  });

  it('follow a directory that was pruned and made again within a session', async () => {
    const root = join(dir, 'root');
    const store = await storeWith(root, ['p/q/1']);
    await store.flushListingSummaries();
    await store.deleteObject(bucket, 'p/q/1'); // prunes p/q/ and p/
    await store.flushListingSummaries();
    expect(await summaryFiles(root).catch((err: unknown) => (isErrno(err, 'ENOENT') ? [] : Promise.reject(err)))).toEqual([]);
    await putObject(store, bucket, 'p/q/2', Buffer.from('2'), Buffer.from('m'), { listing: listingEntry('p/q/2') });
    await store.close();
    await spoilRecords(root);
    const reopened = await FsObjectStore.open(root, OPTIONS);
    try {
      expect(await listAll(reopened)).toEqual([object('p/q/2')]);
    } finally {
      await reopened.close();
    }
  });
});

describe('PersistedSummaries and changes racing it', () => {
  const entryA = listingEntry('a');
  const entryB = listingEntry('b', 2);
  const readOrNull = async (path: string): Promise<Buffer | null> => {
    try {
      return await readFile(path);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw err;
    }
  };

  /** Summaries of keys/ itself over a stub source; `hooks` see the instance. */
  async function setUp(hooks: {
    build: (summaries: PersistedSummaries) => ReadonlyMap<string, ListingEntry>;
    read?: (summaries: PersistedSummaries, path: string) => Promise<Buffer | null>;
  }) {
    const layout = new FsLayout(join(dir, 'root'));
    await mkdir(layout.tmpDir, { recursive: true });
    await mkdir(layout.keysDir(bucket), { recursive: true });
    const keys = layout.keysDir(bucket);
    const source: SummarySource = {
      build: async () => hooks.build(summaries),
      withBucket: async (_bucket, fn) => {
        await fn();
        return true;
      },
      read: (path) => (hooks.read ? hooks.read(summaries, path) : readOrNull(path)),
    };
    const summaries: PersistedSummaries = new PersistedSummaries(layout, 7, source, 3_600_000);
    /** What a cold listing of keys/ would take from its summary. */
    const primed = async (): Promise<Map<string, ListingEntry>> => {
      const got = new Map<string, ListingEntry>();
      await summaries.prime(bucket, keys, (entries) => entries.forEach((entry, name) => got.set(name, entry)));
      return got;
    };
    return { summaries, keys, primed };
  }

  it('keeps a directory dirty when it changes while its summary is being rebuilt', async () => {
    let current: ReadonlyMap<string, ListingEntry> = new Map([['oa', entryA]]);
    let builds = 0;
    const { summaries, keys, primed } = await setUp({
      build: (self) => {
        const seen = current;
        if (++builds === 1) {
          // Lands after the build read the directory, before its summary is renamed in.
          current = new Map([['oa', entryB]]);
          self.changed(bucket, keys);
        }
        return seen;
      },
    });
    summaries.changed(bucket, keys);
    expect(await summaries.flush()).toBe(true);
    expect(await primed()).toEqual(new Map()); // the summary on disk is behind: not used
    expect(await summaries.flush()).toBe(true);
    expect(builds).toBe(2);
    expect(await primed()).toEqual(new Map([['oa', entryB]]));
  });

  it('installs nothing from a summary read while its directory changes', async () => {
    let reads = 0;
    const { summaries, keys, primed } = await setUp({
      build: () => new Map([['oa', entryA]]),
      read: async (self, path) => {
        const bytes = await readOrNull(path);
        if (++reads === 1) self.changed(bucket, keys);
        return bytes;
      },
    });
    summaries.changed(bucket, keys);
    await summaries.flush();
    expect(await primed()).toEqual(new Map());
    await summaries.flush();
    expect(await primed()).toEqual(new Map([['oa', entryA]]));
  });
});
