// Filesystem backend of ObjectStore. One process owns a root directory:
//
//   <root>/tmp/                      temp data, records and bucket staging; emptied on open
//   <root>/spare/                    replaced records kept for reuse (fs-spare-records.ts);
//                                    emptied on open and close
//   <root>/listing-state             which listing summaries to trust (fs-listing-state.ts)
//   <root>/buckets/b<esc(name)>/
//     bucket.json                    {"version":1,"creationDate":"<ISO>"}
//     config                         the gateway's bucket configuration (opaque), if ever set
//     keys/...                       one record file per key, laid out by key-path.ts; the
//                                    record holds the key's listing entry (fs-listing.ts)
//     summaries/<digest>             per key-tree directory, a copy of its records' listing
//                                    entries (fs-listing-summaries.ts); outside keys/, so no
//                                    key can map there
//     data/<xx>/<hex>                data files: one per committed single-part version, one
//                                    per part of a multipart version
//     uploads/<id>/                  multipart uploads in progress (fs-uploads.ts)
//
// A PUT streams into tmp/, then commit() fsyncs the data, renames it to a fresh data file,
// and renames a synced record over the key's record path: that rename is the commit point.
// The previous version's data file is deleted afterwards; open read handles keep it alive.
// An object of at most INLINE_MAX stored bytes has no data file: its bytes stay in memory
// until commit() writes them into the record itself (one file, one fsync, one rename).
import { mkdir, open, rename, rm, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BucketNotEmptyError, NoSuchBucketError, NoSuchKeyError, PartChangedError, StorageError } from './errors.js';
import { BucketCache } from './fs-bucket-cache.js';
import { DirSyncer } from './fs-dir-sync.js';
import { InstalledFiles } from './fs-record-files.js';
import { SpareRecords } from './fs-spare-records.js';
import { KnownDirs } from './fs-known-dirs.js';
import { createBucketDir, listBucketInfos, readBucketConfig, readBucketInfo, removeBucketDir, writeBucketConfig } from './fs-buckets.js';
import { FsLayout, type KeyRef } from './fs-layout.js';
import { DirEntriesCache, SummaryCache, type Summary } from './fs-listing-cache.js';
import { beginListingSession } from './fs-listing-state.js';
import { PersistedSummaries, readSummaryFile } from './fs-listing-summaries.js';
import { RecordReader } from './fs-record-reader.js';
import { pageOfNames, walkKeys, withEntries, type EntrySource } from './fs-listing.js';
import { FsInlineObject, FsPendingObject, FsStoredObject, type WrittenData } from './fs-objects.js';
import { sweepOrphanData } from './fs-sweep.js';
import { DIR_MODE, fsyncDirOrAncestor, isErrno, readdirOrEmpty, uniqueName, writeFileSynced } from './fs-util.js';
import { dirBases, type KeyPath } from './key-path.js';
import { KeyedMutex, KeyedRwLock } from './locks.js';
import { readRecordFile, readRecordHead } from './fs-record-file.js';
import { CorruptRecordError, encodeObjectRecord, INLINE_MAX, type DataFile, type ObjectRecord, type RecordHead } from './object-record.js';
import type {
  BucketInfo, CommitOptions, ListedItem, ListingEntry, ListOptions, ListUploadsOptions, ObjectStore, PendingObject, PendingPart, StoredObject, StoredPart, UploadInfo,
} from './object-store.js';
import {
  createUploadDir, installPart, linkParts, readAllUploads, readParts, readUpload, removeUploadDir, settleCompletions, unlinkCompletion, uploadDir, writeMarker,
} from './fs-uploads.js';

/** Leaves room under PATH_MAX (4096) for the longest path a 1024-byte key can take. */
const MAX_ROOT_BYTES = 700;
/** Attempts before giving up when concurrent pruning or overwrites keep moving things. */
const MAX_RETRIES = 16;
/** A listing page's misses are all asked for at once: the record reader batches them. */
const MAX_PAGE = 1000;
/** Keys whose data files the store remembers after committing them (fs-record-files.ts). */
const INSTALLED_FILES_KEPT = 10_000;

export interface FsObjectStoreOptions {
  /** Also delete data files no record points to (reads every record: slow on big stores). */
  sweepOrphanData?: boolean;
  /** Directory entries the listing cache keeps (default 500,000). */
  listingCacheEntries?: number;
  /** Records' listing entries the listing cache keeps (default 300,000). */
  listingCacheSummaries?: number;
  /** How long after a change its directory's persisted summary is rewritten (default 1000 ms). */
  listingSummaryDelayMs?: number;
}

/** One key of one bucket, as the key locks (and the installed-files memory) name it. */
function keyId(bucket: string, key: string): string {
  return JSON.stringify([bucket, key]);
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
  /** Serialises the changes of one multipart upload. */
  private readonly uploadLocks = new KeyedMutex();
  /** Serialises creating and removing one key-tree directory with its cache update. */
  private readonly treeLocks = new KeyedMutex();
  private readonly dirCache: DirEntriesCache;
  private readonly summaries: SummaryCache;
  private readonly entrySource: EntrySource;
  /** Reads records off the main thread, those asked for in one turn together (fs-record-reader.ts). */
  private readonly records = new RecordReader();
  private readonly buckets = new BucketCache();
  /** Replaced record files, written into again by later commits. */
  private readonly spares: SpareRecords;
  /** Folder fsyncs of concurrent commits and deletes, shared (fs-dir-sync.ts). */
  private readonly dirSync = new DirSyncer();
  private readonly syncDir = (dir: string): Promise<void> => this.dirSync.sync(dir);
  /** Key-tree and data-shard folders known to exist (fs-known-dirs.ts). */
  private readonly knownDirs = new KnownDirs();
  /** The data files of the records committed here, taken out by every change of a key. */
  private readonly installedFiles = new InstalledFiles(INSTALLED_FILES_KEPT);
  /** Listing summaries on disk, so a fresh process lists without a read per key. */
  private readonly persisted: PersistedSummaries;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Key changes (commits, deletes) in progress: a close waits for them. */
  private active = 0;
  private drained: (() => void) | undefined;

  private constructor(
    private readonly layout: FsLayout,
    options: FsObjectStoreOptions,
    generation: number,
  ) {
    this.spares = new SpareRecords(layout.spareDir);
    this.dirCache = new DirEntriesCache(options.listingCacheEntries ?? 500_000);
    this.summaries = new SummaryCache(options.listingCacheSummaries ?? 300_000);
    this.entrySource = (dir, base) => this.dirCache.entries(dir, base);
    this.persisted = new PersistedSummaries(layout, generation, {
      build: (dir, rel) => this.buildSummary(dir, rel),
      withBucket: (bucket, fn) =>
        this.bucketLocks.shared(bucket, async () => {
          try {
            await this.assertBucket(bucket);
          } catch (err) {
            if (err instanceof NoSuchBucketError) return false;
            throw err;
          }
          await fn();
          return true;
        }),
      read: readSummaryFile,
    }, options.listingSummaryDelayMs ?? 1000);
  }

  static async open(rootDir: string, options: FsObjectStoreOptions = {}): Promise<FsObjectStore> {
    const root = resolve(rootDir);
    if (Buffer.byteLength(root) > MAX_ROOT_BYTES) {
      throw new StorageError(`storage root path longer than ${MAX_ROOT_BYTES} bytes`);
    }
    const layout = new FsLayout(root);
    await mkdir(root, { recursive: true, mode: DIR_MODE });
    await mkdirIfMissing(layout.tmpDir);
    await mkdirIfMissing(layout.spareDir);
    await mkdirIfMissing(layout.bucketsDir);
    // Whatever is in tmp/ belongs to writes that never committed (we own the root); what is
    // in spare/ is no key's record.
    for (const dir of [layout.tmpDir, layout.spareDir]) {
      for (const name of await readdirOrEmpty(dir)) await rm(join(dir, name), { recursive: true, force: true });
    }
    // Before any write is accepted: a crash from here on leaves the state not clean.
    const store = new FsObjectStore(layout, options, await beginListingSession(layout));
    await store.settleCompletions();
    if (options.sweepOrphanData) await store.sweepOrphanData();
    return store;
  }

  /** Deletes data files that no record points to; returns how many. */
  async sweepOrphanData(): Promise<number> {
    let removed = 0;
    for (const { name } of await this.listBuckets()) {
      removed += await this.bucketLocks.exclusive(name, () =>
        sweepOrphanData(this.layout.bucketDir(name), this.readHead),
      );
    }
    return removed;
  }

  /** Finishes or rolls back the multipart completions a crash interrupted (fs-uploads.ts). */
  private async settleCompletions(): Promise<void> {
    for (const { name } of await this.listBuckets()) {
      await settleCompletions(this.layout, name, async (key) => {
        const record = await this.readRecord(name, this.layout.keyRef(name, key).path).catch(() => null);
        return record ? record.files.map((f) => f.name) : [];
      });
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('object store is closed');
  }

  /**
   * Runs fn with the bucket held shared and the key's commits serialised; a close waits for it.
   * fn is handed (and the store forgets) the data files of the key's record if this store
   * committed that record: every change of the key goes through here.
   */
  private async withKey<T>(bucket: string, key: string, fn: (installed: readonly DataFile[] | undefined) => Promise<T>): Promise<T> {
    this.active++;
    try {
      const id = keyId(bucket, key);
      return await this.bucketLocks.shared(bucket, () => this.keyLocks.run(id, () => fn(this.installedFiles.take(id))));
    } finally {
      if (--this.active === 0) this.drained?.();
    }
  }

  private assertBucket(bucket: string): Promise<void> {
    return this.buckets.assertExists(bucket, async () => {
      try {
        await stat(this.layout.bucketRecord(bucket));
      } catch (err) {
        if (isErrno(err, 'ENOENT', 'ENOTDIR')) throw new NoSuchBucketError(bucket);
        throw err;
      }
    });
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
      try {
        await removeBucketDir(this.layout, name);
      } finally {
        this.buckets.deleted(name); // gone, or in doubt: either way not known to exist
        this.installedFiles.clear();
        this.knownDirs.forgetTree(this.layout.bucketDir(name));
      }
      this.dirCache.dropTree(keysDir);
      this.summaries.forgetTree(keysDir);
      this.persisted.dropBucket(name);
    });
  }

  async getBucketConfig(name: string): Promise<Buffer | null> {
    this.checkOpen();
    return this.buckets.config(name, () => readBucketConfig(this.layout, name));
  }

  async updateBucketConfig(name: string, update: (current: Buffer | null) => Buffer): Promise<void> {
    this.checkOpen();
    // Shared: a bucket being deleted waits for this write, or this write sees it gone.
    await this.bucketLocks.shared(name, () =>
      this.configLocks.run(name, async () => {
        const next = update(await readBucketConfig(this.layout, name));
        await this.buckets.writeConfig(name, next, () => writeBucketConfig(this.layout, name, next));
      }),
    );
  }

  // ---- objects ----

  async beginPut(bucket: string, key: string): Promise<PendingObject> {
    this.checkOpen();
    const ref = this.layout.keyRef(bucket, key);
    await this.assertBucket(bucket);
    const tmpPath = this.layout.tmpPath('part', uniqueName());
    return new FsPendingObject(tmpPath, INLINE_MAX, (data, metadata, options) => this.commitData(bucket, ref, data, metadata, options));
  }

  private commitData(bucket: string, ref: KeyRef, data: WrittenData, metadata: Buffer, options: CommitOptions): Promise<void> {
    this.checkOpen();
    return this.withKey(bucket, ref.key, async (installed) => {
      await this.assertBucket(bucket);
      // A precondition judges the record's metadata, so only a plain overwrite skips the read.
      const previous = installed !== undefined && !options.precondition ? { files: installed } : await this.checkedPrevious(bucket, ref, options);
      const previousFiles = previous?.files ?? [];
      const replaces = previous !== null;
      const files = data.kind === 'inline'
        ? await this.installRecord(bucket, ref.path, { files: [], inline: data.bytes, metadata, listing: options.listing ?? null }, replaces)
        : await this.commitDataFile(bucket, ref, data, metadata, options, replaces);
      await this.removeDataFiles(bucket, previousFiles);
      this.installedFiles.installed(keyId(bucket, ref.key), files);
    });
  }

  /** Moves a temp data file into its shard, then installs a record naming it. */
  private async commitDataFile(
    bucket: string, ref: KeyRef, data: { tmpPath: string; size: number }, metadata: Buffer, options: CommitOptions, replaces: boolean,
  ): Promise<readonly DataFile[]> {
    const dataName = uniqueName();
    const dataFile = this.layout.dataPath(bucket, dataName);
    await this.moveIntoShard(data.tmpPath, dataFile);
    try {
      await this.syncDir(dirname(dataFile));
      return await this.installRecord(bucket, ref.path, { files: [{ name: dataName, size: data.size }], inline: null, metadata, listing: options.listing ?? null }, replaces);
    } catch (err) {
      await unlink(dataFile).catch(() => {});
      throw err;
    }
  }

  /** Renames a data file into its shard folder, creating the folder (durably) if it is missing. */
  private async moveIntoShard(tmpData: string, dataFile: string): Promise<void> {
    const shard = dirname(dataFile);
    if (this.knownDirs.has(shard)) {
      try {
        return await rename(tmpData, dataFile);
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
        this.knownDirs.forget(shard); // removed behind our back: make it again
      }
    }
    // Synced whoever made it: a concurrent commit's mkdir may not be durable yet. Once per shard.
    await mkdirIfMissing(shard);
    await this.syncDir(dirname(shard));
    this.knownDirs.add(shard);
    await rename(tmpData, dataFile);
  }

  /** Under the key's lock: the record a commit replaces, once the precondition accepted it. */
  private async checkedPrevious(bucket: string, ref: KeyRef, options: CommitOptions): Promise<RecordHead | null> {
    const previous = await this.readRecord(bucket, ref.path).catch(() => null);
    options.precondition?.(previous ? previous.metadata : null);
    return previous;
  }

  private async removeDataFiles(bucket: string, files: readonly DataFile[]): Promise<void> {
    for (const file of files) await unlink(this.layout.dataPath(bucket, file.name)).catch(() => {});
  }

  /**
   * Writes the record aside (into a spare if there is one), then renames it over the key's
   * record path; returns the files it names. `replaces`: a record is there, to keep as a spare.
   */
  private async installRecord(bucket: string, path: KeyPath, record: ObjectRecord, replaces: boolean): Promise<readonly DataFile[]> {
    const spare = this.spares.take();
    const tmpRecord = spare ?? this.layout.tmpPath('rec', uniqueName());
    let renamed = false;
    try {
      await writeFileSynced(tmpRecord, encodeObjectRecord(record), spare !== null);
      for (let attempt = 0; ; attempt++) {
        try {
          let dir = this.layout.keysDir(bucket);
          const bases = dirBases(path.dirs);
          for (const [depth, segment] of path.dirs.entries()) {
            const parent = dir;
            dir = join(dir, segment);
            const created = await this.treeLocks.run(dir, async () => {
              // Under the tree lock a prune cannot interleave, so a known folder is there.
              const made = !this.knownDirs.has(dir) && (await mkdirIfMissing(dir));
              this.knownDirs.add(dir);
              if (made) this.dirCache.createdEmpty(dir);
              this.dirCache.added(parent, segment, bases[depth]);
              return made;
            });
            if (created) await this.syncDir(parent);
          }
          const recordPath = join(dir, path.record);
          const kept = replaces ? await this.spares.keepLinked(recordPath) : null;
          try {
            await rename(tmpRecord, recordPath);
          } catch (err) {
            if (kept !== null) this.spares.discard(kept);
            throw err;
          }
          renamed = true;
          if (kept !== null) this.spares.retire(kept);
          // Under the key's lock: no other change of this record can interleave.
          this.dirCache.added(dir, path.record, bases[path.dirs.length]);
          this.summaries.committed(join(dir, path.record), record.listing);
          this.persisted.changed(bucket, dir);
          await this.syncDir(dir);
          return record.files;
        } catch (err) {
          // A concurrent delete pruned a directory on our path between mkdir and rename.
          if (!isErrno(err, 'ENOENT') || attempt >= MAX_RETRIES) throw err;
          // Or a folder went behind our back: check every one of them again.
          this.knownDirs.forgetTree(this.layout.keysDir(bucket));
          await this.assertBucket(bucket);
        }
      }
    } finally {
      // A record that never reached its place goes, half-written or not (from tmp/ or
      // spare/; a failed unlink there is swept on the next open).
      if (!renamed) await unlink(tmpRecord).catch(() => {});
    }
  }

  /** A key's record without inline data bytes: all a HEAD, a commit or a delete needs. */
  private readRecord(bucket: string, path: KeyPath): Promise<RecordHead | null> {
    return this.readHead(this.layout.recordPath(bucket, path));
  }

  /** A record file's head (readHead) or whole (readWhole), through the batching reader. */
  private readonly readHead = (file: string): Promise<RecordHead | null> => this.readTracked(readRecordHead, file);
  private readonly readWhole = (file: string): Promise<ObjectRecord | null> => this.readTracked(readRecordFile, file);

  /** Every read of a key's record goes through here, so no spare is reused under a reader. */
  private async readTracked<T>(read: (file: string, reader: RecordReader) => Promise<T>, file: string): Promise<T> {
    const done = this.spares.beginRead();
    try {
      return await read(file, this.records);
    } finally {
      done();
    }
  }

  /** What a listing needs of one record file; a corrupt record still lists (entry null). */
  private async readSummary(file: string): Promise<Summary | null> {
    try {
      const record = await this.readHead(file);
      if (!record) return null;
      return record.listing ? { entry: record.listing } : { entry: null, metadata: record.metadata };
    } catch (err) {
      if (err instanceof CorruptRecordError) return { entry: null, metadata: Buffer.alloc(0) };
      throw err;
    }
  }

  private async readExistingRecord<T>(bucket: string, ref: KeyRef, read: (file: string) => Promise<T | null>): Promise<T> {
    const record = await read(this.layout.recordPath(bucket, ref.path));
    if (record) return record;
    await this.assertBucket(bucket);
    throw new NoSuchKeyError(bucket, ref.key);
  }

  async getObject(bucket: string, key: string): Promise<StoredObject> {
    this.checkOpen();
    const ref = this.layout.keyRef(bucket, key);
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      // One read of the record file: an inline object's data comes with it.
      const record: ObjectRecord = await this.readExistingRecord(bucket, ref, this.readWhole);
      if (record.inline) return new FsInlineObject(record.inline, record.metadata);
      const handles = await this.openDataFiles(bucket, record.files);
      if (handles) return new FsStoredObject(handles, record.metadata, record.files.map((f) => f.size));
    }
    throw new StorageError('object kept changing while being opened');
  }

  /** Handles on every data file of a version, or null if it was replaced meanwhile. */
  private async openDataFiles(bucket: string, files: readonly DataFile[]): Promise<FileHandle[] | null> {
    const handles: FileHandle[] = [];
    try {
      for (const file of files) {
        const handle = await open(this.layout.dataPath(bucket, file.name), 'r');
        handles.push(handle);
        const { size } = await handle.stat();
        if (size !== file.size) throw new StorageError(`data file size ${size} does not match its record (${file.size})`);
      }
      return handles;
    } catch (err) {
      await Promise.all(handles.map((h) => h.close()));
      if (isErrno(err, 'ENOENT')) return null; // overwritten or deleted meanwhile: look again
      throw err;
    }
  }

  async headObject(bucket: string, key: string): Promise<{ metadata: Buffer; dataSize: number }> {
    this.checkOpen();
    const record = await this.readExistingRecord(bucket, this.layout.keyRef(bucket, key), this.readHead);
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
        await this.spares.keepMoved(recordPath);
      } catch (err) {
        if (isErrno(err, 'ENOENT', 'ENOTDIR')) return;
        throw err;
      }
      this.dirCache.removed(dirname(recordPath), ref.path.record, dirBases(ref.path.dirs)[ref.path.dirs.length]);
      this.summaries.forget(recordPath);
      this.persisted.changed(bucket, dirname(recordPath));
      await fsyncDirOrAncestor(dirname(recordPath), this.layout.keysDir(bucket), this.syncDir);
      await this.removeDataFiles(bucket, record?.files ?? []);
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
        this.knownDirs.forget(dir);
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
    // The walk's directories are normalised and entry names hold no '/': a plain join.
    const items = await withEntries(page.items, {
      peek: ({ dir, name }) => this.summaries.peek(dir, name),
      // A cold directory: its persisted summary first, then records for what it lacks.
      prime: (dir) => this.persisted.prime(bucket, dir, (entries) => this.summaries.learned(dir, entries)),
      load: ({ dir, name }) => this.summaries.entryOf(dir, name, () => this.readSummary(`${dir}/${name}`), opts.describe),
    }, MAX_PAGE);
    return { items, isTruncated: page.isTruncated };
  }

  // ---- multipart uploads ----

  /** Runs fn with the upload's changes serialised (part commits, completion, abort). */
  private withUpload<T>(bucket: string, uploadId: string, fn: () => Promise<T>): Promise<T> {
    return this.uploadLocks.run(JSON.stringify([bucket, uploadId]), fn);
  }

  async createUpload(bucket: string, key: string, record: Buffer): Promise<UploadInfo> {
    this.checkOpen();
    this.layout.keyRef(bucket, key);
    return this.bucketLocks.shared(bucket, async () => {
      await this.assertBucket(bucket);
      return createUploadDir(this.layout, bucket, key, record);
    });
  }

  async getUpload(bucket: string, key: string, uploadId: string): Promise<UploadInfo> {
    this.checkOpen();
    await this.assertBucket(bucket);
    return readUpload(this.layout, bucket, key, uploadId);
  }

  async beginPart(bucket: string, key: string, uploadId: string, partNumber: number): Promise<PendingPart> {
    this.checkOpen();
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) throw new RangeError('part numbers are 1 to 10000');
    await this.getUpload(bucket, key, uploadId);
    const tmpPath = this.layout.tmpPath('part', uniqueName());
    // Never inline: a part's file becomes a piece of the completed object as it stands.
    return new FsPendingObject<StoredPart>(tmpPath, null, (data, metadata) =>
      this.bucketLocks.shared(bucket, () =>
        this.withUpload(bucket, uploadId, async () => {
          if (data.kind !== 'file') throw new StorageError('a part is always written to a file');
          // Ended meanwhile (completed or aborted): the attempt has nowhere to go.
          await this.getUpload(bucket, key, uploadId);
          return installPart(this.layout, uploadDir(this.layout, bucket, uploadId), partNumber, data.tmpPath, data.size, metadata);
        }),
      ),
    );
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<StoredPart[]> {
    await this.getUpload(bucket, key, uploadId);
    return readParts(uploadDir(this.layout, bucket, uploadId));
  }

  async listUploads(bucket: string, opts: ListUploadsOptions): Promise<UploadInfo[]> {
    this.checkOpen();
    await this.assertBucket(bucket);
    const prefix = opts.prefix ?? '';
    const byKey = (a: UploadInfo, b: UploadInfo): number =>
      Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) || a.initiated.getTime() - b.initiated.getTime() || a.uploadId.localeCompare(b.uploadId);
    const all = (await readAllUploads(this.layout, bucket)).filter((u) => u.key.startsWith(prefix)).sort(byKey);
    const { keyMarker, uploadIdMarker } = opts;
    if (keyMarker === undefined) return all;
    const marker = all.find((u) => u.key === keyMarker && u.uploadId === uploadIdMarker);
    return all.filter((u) => {
      const order = Buffer.compare(Buffer.from(u.key), Buffer.from(keyMarker));
      if (order !== 0) return order > 0;
      // Within the marker's key: only uploads after the marker's upload (none without one).
      return marker !== undefined && byKey(u, marker) > 0;
    });
  }

  async completeUpload(
    bucket: string, key: string, uploadId: string, parts: readonly { partNumber: number; attempt: string }[], metadata: Buffer, options: CommitOptions = {},
  ): Promise<void> {
    this.checkOpen();
    if (parts.length === 0) throw new RangeError('a completion keeps at least one part');
    const ref = this.layout.keyRef(bucket, key);
    await this.withKey(bucket, key, () =>
      this.withUpload(bucket, uploadId, async () => {
        await this.assertBucket(bucket);
        await readUpload(this.layout, bucket, key, uploadId);
        const dir = uploadDir(this.layout, bucket, uploadId);
        const stored = new Map((await readParts(dir)).map((p) => [p.partNumber, p]));
        const kept = parts.map(({ partNumber, attempt }) => {
          const part = stored.get(partNumber);
          if (!part || part.attempt !== attempt) throw new PartChangedError(partNumber);
          return part;
        });
        const previous = await this.checkedPrevious(bucket, ref, options);
        const names = kept.map(() => uniqueName());
        await writeMarker(this.layout, dir, names);
        try {
          await linkParts(this.layout, bucket, dir, kept.map((p) => p.attempt), names);
          const files = kept.map((p, i) => ({ name: names[i], size: p.size }));
          await this.installRecord(bucket, ref.path, { files, inline: null, metadata, listing: options.listing ?? null }, previous !== null);
        } catch (err) {
          await unlinkCompletion(this.layout, bucket, dir, names);
          throw err;
        }
        await this.removeDataFiles(bucket, previous?.files ?? []);
        await removeUploadDir(this.layout, dir);
      }),
    );
  }

  async abortUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    this.checkOpen();
    await this.bucketLocks.shared(bucket, () =>
      this.withUpload(bucket, uploadId, async () => {
        await this.getUpload(bucket, key, uploadId);
        await removeUploadDir(this.layout, uploadDir(this.layout, bucket, uploadId));
      }),
    );
  }

  /** Rewrites the persisted listing summaries of changed directories now, not in a moment. */
  async flushListingSummaries(): Promise<void> {
    this.checkOpen();
    await this.persisted.flush();
  }

  /** What a persisted summary of `dir` holds now (fs-listing-summaries.ts). */
  private async buildSummary(dir: string, rel: string): Promise<Map<string, ListingEntry> | null> {
    const segments = rel === '' ? [] : rel.split('/');
    const entries = await this.dirCache.entries(dir, dirBases(segments)[segments.length]);
    if (entries.length === 0) return null;
    const built = new Map<string, ListingEntry>();
    await Promise.all(
      entries.map(async ({ kind, name }) => {
        if (kind !== 'o') return;
        const entry = this.summaries.peek(dir, name) ?? (await this.summaries.entryOf(dir, name, () => this.readSummary(`${dir}/${name}`)));
        if (entry) built.set(name, entry);
      }),
    );
    return built;
  }

  /** Lets the changes in progress finish, persists the listing summaries, then closes. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      if (this.active > 0) await new Promise<void>((done) => (this.drained = done));
      await this.persisted.close();
      await this.records.close();
      await this.spares.close();
    })();
    return this.closing;
  }
}
