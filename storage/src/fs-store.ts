// Filesystem backend of ObjectStore. One process owns a root directory:
//
//   <root>/tmp/                      temp data, records and bucket staging; emptied on open
//   <root>/buckets/b<esc(name)>/
//     bucket.json                    {"version":1,"creationDate":"<ISO>"}
//     config                         the gateway's bucket configuration (opaque), if ever set
//     keys/...                       one record file per key, laid out by key-path.ts; the
//                                    record holds the key's listing entry (fs-listing.ts)
//     data/<xx>/<hex>                data files, one per committed version
//
// A PUT streams into tmp/, then commit() fsyncs the data, renames it to a fresh data file,
// and renames a synced record over the key's record path: that rename is the commit point.
// The previous version's data file is deleted afterwards; open read handles keep it alive.
import { mkdir, open, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BucketNotEmptyError, NoSuchBucketError, NoSuchKeyError, StorageError } from './errors.js';
import { createBucketDir, listBucketInfos, readBucketConfig, readBucketInfo, removeBucketDir, writeBucketConfig } from './fs-buckets.js';
import { FsLayout, type KeyRef } from './fs-layout.js';
import { DirEntriesCache, SummaryCache, type Summary } from './fs-listing-cache.js';
import { pageOfNames, walkKeys, withEntries, type EntrySource } from './fs-listing.js';
import { FsPendingObject, FsStoredObject } from './fs-objects.js';
import { sweepOrphanData } from './fs-sweep.js';
import { DIR_MODE, FILE_MODE, fsyncDir, fsyncDirOrAncestor, isErrno, readdirOrEmpty, uniqueName, writeFileSynced } from './fs-util.js';
import { dirBases, type KeyPath } from './key-path.js';
import { KeyedMutex, KeyedRwLock } from './locks.js';
import { CorruptRecordError, decodeObjectRecord, encodeObjectRecord, type ObjectRecord } from './object-record.js';
import type { BucketInfo, CommitOptions, ListedItem, ListOptions, ObjectStore, PendingObject, StoredObject } from './object-store.js';

/** Leaves room under PATH_MAX (4096) for the longest path a 1024-byte key can take. */
const MAX_ROOT_BYTES = 700;
/** Attempts before giving up when concurrent pruning or overwrites keep moving things. */
const MAX_RETRIES = 16;

export interface FsObjectStoreOptions {
  /** Also delete data files no record points to (reads every record: slow on big stores). */
  sweepOrphanData?: boolean;
  /** Directory entries the listing cache keeps (default 500,000). */
  listingCacheEntries?: number;
  /** Records' listing entries the listing cache keeps (default 300,000). */
  listingCacheSummaries?: number;
}

async function mkdirIfMissing(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { mode: DIR_MODE });
    return true;
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    throw err;
  }
}

export class FsObjectStore implements ObjectStore {
  private readonly keyLocks = new KeyedMutex();
  /** Serialises configuration updates per bucket. */
  private readonly configLocks = new KeyedMutex();
  /** Commits and deletes hold their bucket shared; deleteBucket holds it exclusively. */
  private readonly bucketLocks = new KeyedRwLock();
  /** Serialises creating and removing one key-tree directory with its cache update. */
  private readonly treeLocks = new KeyedMutex();
  private readonly dirCache: DirEntriesCache;
  private readonly summaries: SummaryCache;
  private readonly entrySource: EntrySource;
  private closed = false;

  private constructor(
    private readonly layout: FsLayout,
    options: FsObjectStoreOptions,
  ) {
    this.dirCache = new DirEntriesCache(options.listingCacheEntries ?? 500_000);
    this.summaries = new SummaryCache(options.listingCacheSummaries ?? 300_000);
    this.entrySource = (dir, base) => this.dirCache.entries(dir, base);
  }

  static async open(rootDir: string, options: FsObjectStoreOptions = {}): Promise<FsObjectStore> {
    const root = resolve(rootDir);
    if (Buffer.byteLength(root) > MAX_ROOT_BYTES) {
      throw new StorageError(`storage root path longer than ${MAX_ROOT_BYTES} bytes`);
    }
    const layout = new FsLayout(root);
    await mkdir(root, { recursive: true, mode: DIR_MODE });
    await mkdirIfMissing(layout.tmpDir);
    await mkdirIfMissing(layout.bucketsDir);
    // Whatever is in tmp/ belongs to writes that never committed (we own the root).
    for (const name of await readdirOrEmpty(layout.tmpDir)) {
      await rm(join(layout.tmpDir, name), { recursive: true, force: true });
    }
    const store = new FsObjectStore(layout, options);
    if (options.sweepOrphanData) await store.sweepOrphanData();
    return store;
  }

  /** Deletes data files that no record points to; returns how many. */
  async sweepOrphanData(): Promise<number> {
    let removed = 0;
    for (const { name } of await this.listBuckets()) {
      removed += await this.bucketLocks.exclusive(name, () =>
        sweepOrphanData(this.layout.bucketDir(name), async (path) => this.parseRecordFile(path)),
      );
    }
    return removed;
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('object store is closed');
  }

  /** Runs fn with the bucket held shared and the key's commits serialised. */
  private withKey<T>(bucket: string, key: string, fn: () => Promise<T>): Promise<T> {
    return this.bucketLocks.shared(bucket, () => this.keyLocks.run(JSON.stringify([bucket, key]), fn));
  }

  private async assertBucket(bucket: string): Promise<void> {
    try {
      await stat(this.layout.bucketRecord(bucket));
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) throw new NoSuchBucketError(bucket);
      throw err;
    }
  }

  // ---- buckets ----

  async createBucket(name: string): Promise<void> {
    this.checkOpen();
    await this.bucketLocks.exclusive(name, () => createBucketDir(this.layout, name));
  }

  async headBucket(name: string): Promise<BucketInfo> {
    this.checkOpen();
    return readBucketInfo(this.layout, name);
  }

  async listBuckets(): Promise<BucketInfo[]> {
    this.checkOpen();
    return listBucketInfos(this.layout);
  }

  async deleteBucket(name: string): Promise<void> {
    this.checkOpen();
    await this.bucketLocks.exclusive(name, async () => {
      await this.assertBucket(name);
      const keysDir = this.layout.keysDir(name);
      const keys = walkKeys(keysDir, { prefix: Buffer.alloc(0), after: null }, this.entrySource);
      const first = await keys.next();
      await keys.return(false);
      if (!first.done) throw new BucketNotEmptyError(name);
      await removeBucketDir(this.layout, name);
      this.dirCache.dropTree(keysDir);
      this.summaries.forgetTree(keysDir);
    });
  }

  async getBucketConfig(name: string): Promise<Buffer | null> {
    this.checkOpen();
    return readBucketConfig(this.layout, name);
  }

  async updateBucketConfig(name: string, update: (current: Buffer | null) => Buffer): Promise<void> {
    this.checkOpen();
    // Shared: a bucket being deleted waits for this write, or this write sees it gone.
    await this.bucketLocks.shared(name, () =>
      this.configLocks.run(name, async () => {
        const next = update(await readBucketConfig(this.layout, name));
        await writeBucketConfig(this.layout, name, next);
      }),
    );
  }

  // ---- objects ----

  async beginPut(bucket: string, key: string): Promise<PendingObject> {
    this.checkOpen();
    const ref = this.layout.keyRef(bucket, key);
    await this.assertBucket(bucket);
    const tmpPath = this.layout.tmpPath('part', uniqueName());
    const handle = await open(tmpPath, 'wx', FILE_MODE);
    return new FsPendingObject(handle, tmpPath, (path, size, metadata, options) =>
      this.commitData(bucket, ref, path, size, metadata, options),
    );
  }

  private commitData(bucket: string, ref: KeyRef, tmpData: string, size: number, metadata: Buffer, options: CommitOptions): Promise<void> {
    this.checkOpen();
    return this.withKey(bucket, ref.key, async () => {
      await this.assertBucket(bucket);
      // Under the key's lock: what the precondition sees is what this commit replaces.
      const previous = await this.readRecord(bucket, ref.path).catch(() => null);
      options.precondition?.(previous ? previous.metadata : null);
      const dataName = uniqueName();
      const dataFile = this.layout.dataPath(bucket, dataName);
      await mkdirIfMissing(dirname(dataFile));
      await rename(tmpData, dataFile);
      try {
        await fsyncDir(dirname(dataFile));
        await this.installRecord(bucket, ref.path, { dataName, dataSize: size, metadata, listing: options.listing ?? null });
        if (previous && previous.dataName !== dataName) {
          await unlink(this.layout.dataPath(bucket, previous.dataName)).catch(() => {});
        }
      } catch (err) {
        await unlink(dataFile).catch(() => {});
        throw err;
      }
    });
  }

  /** Writes the record aside, then renames it over the key's record path. */
  private async installRecord(bucket: string, path: KeyPath, record: ObjectRecord): Promise<void> {
    const tmpRecord = this.layout.tmpPath('rec', uniqueName());
    await writeFileSynced(tmpRecord, encodeObjectRecord(record));
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          let dir = this.layout.keysDir(bucket);
          const bases = dirBases(path.dirs);
          for (const [depth, segment] of path.dirs.entries()) {
            const parent = dir;
            dir = join(dir, segment);
            const created = await this.treeLocks.run(dir, async () => {
              const made = await mkdirIfMissing(dir);
              if (made) this.dirCache.createdEmpty(dir);
              this.dirCache.added(parent, segment, bases[depth]);
              return made;
            });
            if (created) await fsyncDir(parent);
          }
          await rename(tmpRecord, join(dir, path.record));
          // Under the key's lock: no other change of this record can interleave.
          this.dirCache.added(dir, path.record, bases[path.dirs.length]);
          this.summaries.committed(join(dir, path.record), record.listing);
          await fsyncDir(dir);
          return;
        } catch (err) {
          // A concurrent delete pruned a directory on our path between mkdir and rename.
          if (!isErrno(err, 'ENOENT') || attempt >= MAX_RETRIES) throw err;
          await this.assertBucket(bucket);
        }
      }
    } finally {
      await unlink(tmpRecord).catch(() => {});
    }
  }

  private readRecord(bucket: string, path: KeyPath): Promise<ObjectRecord | null> {
    return this.parseRecordFile(this.layout.recordPath(bucket, path));
  }

  private async parseRecordFile(file: string): Promise<ObjectRecord | null> {
    try {
      return decodeObjectRecord(await readFile(file));
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return null;
      throw err;
    }
  }

  /** What a listing needs of one record file; a corrupt record still lists (entry null). */
  private async readSummary(file: string): Promise<Summary | null> {
    try {
      const record = await this.parseRecordFile(file);
      if (!record) return null;
      return record.listing ? { entry: record.listing } : { entry: null, metadata: record.metadata };
    } catch (err) {
      if (err instanceof CorruptRecordError) return { entry: null, metadata: Buffer.alloc(0) };
      throw err;
    }
  }

  private async readExistingRecord(bucket: string, ref: KeyRef): Promise<ObjectRecord> {
    const record = await this.readRecord(bucket, ref.path);
    if (record) return record;
    await this.assertBucket(bucket);
    throw new NoSuchKeyError(bucket, ref.key);
  }

  async getObject(bucket: string, key: string): Promise<StoredObject> {
    this.checkOpen();
    const ref = this.layout.keyRef(bucket, key);
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const record = await this.readExistingRecord(bucket, ref);
      let handle;
      try {
        handle = await open(this.layout.dataPath(bucket, record.dataName), 'r');
      } catch (err) {
        if (isErrno(err, 'ENOENT')) continue; // overwritten or deleted meanwhile: look again
        throw err;
      }
      const { size } = await handle.stat();
      if (size !== record.dataSize) {
        await handle.close();
        throw new StorageError(`data file size ${size} does not match its record (${record.dataSize})`);
      }
      return new FsStoredObject(handle, record.metadata, record.dataSize);
    }
    throw new StorageError('object kept changing while being opened');
  }

  async headObject(bucket: string, key: string): Promise<{ metadata: Buffer; dataSize: number }> {
    this.checkOpen();
    const record = await this.readExistingRecord(bucket, this.layout.keyRef(bucket, key));
    return { metadata: record.metadata, dataSize: record.dataSize };
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    this.checkOpen();
    const ref = this.layout.keyRef(bucket, key);
    await this.withKey(bucket, key, async () => {
      await this.assertBucket(bucket);
      const recordPath = this.layout.recordPath(bucket, ref.path);
      // A record we cannot parse is still removed; its data file is left to the sweep.
      const record = await this.readRecord(bucket, ref.path).catch(() => null);
      try {
        await unlink(recordPath);
      } catch (err) {
        if (isErrno(err, 'ENOENT', 'ENOTDIR')) return;
        throw err;
      }
      this.dirCache.removed(dirname(recordPath), ref.path.record, dirBases(ref.path.dirs)[ref.path.dirs.length]);
      this.summaries.forget(recordPath);
      await fsyncDirOrAncestor(dirname(recordPath), this.layout.keysDir(bucket));
      if (record) await unlink(this.layout.dataPath(bucket, record.dataName)).catch(() => {});
      await this.pruneEmptyDirs(bucket, ref.path);
    });
  }

  /** Removes now-empty directories bottom-up; a concurrent put retries if it loses. */
  private async pruneEmptyDirs(bucket: string, path: KeyPath): Promise<void> {
    const keysDir = this.layout.keysDir(bucket);
    const bases = dirBases(path.dirs);
    for (let depth = path.dirs.length; depth > 0; depth--) {
      const dir = join(keysDir, ...path.dirs.slice(0, depth));
      const removed = await this.treeLocks.run(dir, async () => {
        try {
          await rmdir(dir);
        } catch (err) {
          if (isErrno(err, 'ENOTEMPTY', 'EEXIST', 'ENOENT')) return false;
          throw err;
        }
        this.dirCache.dropDir(dir);
        this.dirCache.removed(dirname(dir), path.dirs[depth - 1], bases[depth - 1]);
        return true;
      });
      if (!removed) return;
    }
  }

  async listObjects(bucket: string, opts: ListOptions): Promise<{ items: ListedItem[]; isTruncated: boolean }> {
    this.checkOpen();
    if (!Number.isSafeInteger(opts.limit) || opts.limit < 0) {
      throw new RangeError('limit must be a non-negative integer');
    }
    await this.assertBucket(bucket);
    const page = await pageOfNames(
      this.layout.keysDir(bucket),
      {
        prefix: Buffer.from(opts.prefix ?? '', 'utf8'),
        startAfter: opts.startAfter === undefined ? null : Buffer.from(opts.startAfter, 'utf8'),
        delimiter: opts.delimiter ? Buffer.from(opts.delimiter, 'utf8') : null,
        limit: opts.limit,
      },
      this.entrySource,
    );
    const items = await withEntries(page.items, ({ dir, name }) => {
      const file = join(dir, name);
      return this.summaries.entryOf(file, () => this.readSummary(file), opts.describe);
    });
    return { items, isTruncated: page.isTruncated };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
