// Filesystem backend of ObjectStore. One process owns a root directory:
//
//   <root>/tmp/                      temp data, records and bucket staging; emptied on open
//   <root>/buckets/b<esc(name)>/
//     bucket.json                    {"version":1,"creationDate":"<ISO>"}
//     keys/...                       one record file per key, laid out by key-path.ts
//     data/<xx>/<hex>                data files, one per committed version
//
// A PUT streams into tmp/, then commit() fsyncs the data, renames it to a fresh data file,
// and renames a synced record over the key's record path: that rename is the commit point.
// The previous version's data file is deleted afterwards; open read handles keep it alive.
import { mkdir, open, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  BucketExistsError,
  BucketNotEmptyError,
  KeyTooLongError,
  NoSuchBucketError,
  NoSuchKeyError,
  StorageError,
} from './errors.js';
import { FsPendingObject, FsStoredObject } from './fs-objects.js';
import { walkKeys } from './fs-listing.js';
import { DIR_MODE, FILE_MODE, fsyncDir, isErrno, readdirOrEmpty, uniqueName, writeFileSynced } from './fs-util.js';
import { bucketDirName, keyPath, MAX_KEY_BYTES, parseBucketDirName, type KeyPath } from './key-path.js';
import { KeyedMutex, KeyedRwLock } from './locks.js';
import { decodeObjectRecord, encodeObjectRecord, type ObjectRecord } from './object-record.js';
import type { BucketInfo, ObjectStore, PendingObject, StoredObject } from './object-store.js';
import { sweepOrphanData } from './fs-sweep.js';

/** Leaves room under PATH_MAX (4096) for the longest path a 1024-byte key can take. */
const MAX_ROOT_BYTES = 700;
/** Attempts before giving up when concurrent pruning or overwrites keep moving things. */
const MAX_RETRIES = 16;

export interface FsObjectStoreOptions {
  /** Also delete data files no record points to (reads every record: slow on big stores). */
  sweepOrphanData?: boolean;
}

interface KeyRef {
  key: string;
  path: KeyPath;
}

export class FsObjectStore implements ObjectStore {
  private readonly keyLocks = new KeyedMutex();
  /** Commits and deletes hold a bucket shared; deleteBucket holds it exclusively. */
  private readonly bucketLocks = new KeyedRwLock();
  private closed = false;

  private constructor(private readonly root: string) {}

  static async open(rootDir: string, options: FsObjectStoreOptions = {}): Promise<FsObjectStore> {
    const root = resolve(rootDir);
    if (Buffer.byteLength(root) > MAX_ROOT_BYTES) {
      throw new StorageError(`storage root path longer than ${MAX_ROOT_BYTES} bytes`);
    }
    const store = new FsObjectStore(root);
    await mkdir(root, { recursive: true, mode: DIR_MODE });
    for (const dir of [store.tmpDir, store.bucketsDir]) {
      await mkdir(dir, { mode: DIR_MODE }).catch((err: unknown) => {
        if (!isErrno(err, 'EEXIST')) throw err;
      });
    }
    // Whatever is in tmp/ belongs to writes that never committed (we own the root).
    for (const name of await readdirOrEmpty(store.tmpDir)) {
      await rm(join(store.tmpDir, name), { recursive: true, force: true });
    }
    if (options.sweepOrphanData) await store.sweepOrphanData();
    return store;
  }

  /** Deletes data files that no record points to; returns how many. */
  async sweepOrphanData(): Promise<number> {
    let removed = 0;
    for (const bucket of await this.listBuckets()) {
      removed += await this.bucketLocks.exclusive(bucket.name, () =>
        sweepOrphanData(this.bucketDir(bucket.name), (path) => this.readRecord(bucket.name, path)),
      );
    }
    return removed;
  }

  private get tmpDir(): string {
    return join(this.root, 'tmp');
  }

  private get bucketsDir(): string {
    return join(this.root, 'buckets');
  }

  private bucketDir(bucket: string): string {
    if (bucket.length === 0 || Buffer.from(bucket, 'utf8').toString('utf8') !== bucket) {
      throw new StorageError('invalid bucket name');
    }
    const name = bucketDirName(bucket);
    if (name.length > 200) throw new StorageError('bucket name too long');
    return join(this.bucketsDir, name);
  }

  private keysDir(bucket: string): string {
    return join(this.bucketDir(bucket), 'keys');
  }

  private keyRef(bucket: string, key: string): KeyRef {
    const bytes = Buffer.from(key, 'utf8');
    // Lone surrogates would silently become U+FFFD and alias another key.
    if (bytes.length === 0 || bytes.toString('utf8') !== key) throw new StorageError('invalid key');
    if (bytes.length > MAX_KEY_BYTES) throw new KeyTooLongError(bucket, key);
    return { key, path: keyPath(bytes) };
  }

  private recordPath(bucket: string, path: KeyPath): string {
    return join(this.keysDir(bucket), ...path.dirs, path.record);
  }

  private dataPath(bucket: string, dataName: string): string {
    return join(this.bucketDir(bucket), 'data', dataName.slice(0, 2), dataName);
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('object store is closed');
  }

  private lockName(bucket: string, key: string): string {
    return JSON.stringify([bucket, key]);
  }

  // ---- buckets ----

  async createBucket(name: string): Promise<void> {
    this.checkOpen();
    const target = this.bucketDir(name);
    await this.bucketLocks.exclusive(name, async () => {
      // Built aside and renamed in, so a bucket directory is always complete. rename()
      // refuses a non-empty target, and an existing bucket always holds bucket.json.
      const staging = join(this.tmpDir, `${uniqueName()}.bucket`);
      await mkdir(staging, { mode: DIR_MODE });
      try {
        const record = { version: 1, creationDate: new Date().toISOString() };
        await writeFileSynced(join(staging, 'bucket.json'), Buffer.from(JSON.stringify(record)));
        await mkdir(join(staging, 'keys'), { mode: DIR_MODE });
        await mkdir(join(staging, 'data'), { mode: DIR_MODE });
        await fsyncDir(staging);
        await rename(staging, target);
      } catch (err) {
        await rm(staging, { recursive: true, force: true });
        if (isErrno(err, 'EEXIST', 'ENOTEMPTY')) throw new BucketExistsError(name);
        throw err;
      }
      await fsyncDir(this.bucketsDir);
    });
  }

  async headBucket(name: string): Promise<BucketInfo> {
    this.checkOpen();
    let text: string;
    try {
      text = await readFile(join(this.bucketDir(name), 'bucket.json'), 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) throw new NoSuchBucketError(name);
      throw err;
    }
    const parsed: unknown = JSON.parse(text);
    const date =
      typeof parsed === 'object' && parsed !== null && 'creationDate' in parsed && typeof parsed.creationDate === 'string'
        ? new Date(parsed.creationDate)
        : new Date(NaN);
    if (Number.isNaN(date.getTime())) throw new StorageError(`corrupt bucket record: ${name}`);
    return { name, creationDate: date };
  }

  async listBuckets(): Promise<BucketInfo[]> {
    this.checkOpen();
    const infos: BucketInfo[] = [];
    for (const entry of await readdirOrEmpty(this.bucketsDir)) {
      const name = parseBucketDirName(entry);
      if (name === null) continue;
      try {
        infos.push(await this.headBucket(name));
      } catch (err) {
        if (!(err instanceof NoSuchBucketError)) throw err; // deleted meanwhile
      }
    }
    return infos.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  }

  async deleteBucket(name: string): Promise<void> {
    this.checkOpen();
    await this.bucketLocks.exclusive(name, async () => {
      await this.headBucket(name);
      const keys = walkKeys(this.keysDir(name), { prefix: Buffer.alloc(0), startAfter: null });
      const first = await keys.next();
      await keys.return(undefined);
      if (!first.done) throw new BucketNotEmptyError(name);
      // Rename away first so the bucket vanishes atomically, then remove at leisure.
      const trash = join(this.tmpDir, `${uniqueName()}.trash`);
      await rename(this.bucketDir(name), trash);
      await fsyncDir(this.bucketsDir);
      await rm(trash, { recursive: true, force: true });
    });
  }

  private async assertBucket(bucket: string): Promise<void> {
    try {
      await stat(join(this.bucketDir(bucket), 'bucket.json'));
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) throw new NoSuchBucketError(bucket);
      throw err;
    }
  }

  // ---- objects ----

  async beginPut(bucket: string, key: string): Promise<PendingObject> {
    this.checkOpen();
    const ref = this.keyRef(bucket, key);
    await this.assertBucket(bucket);
    const tmpPath = join(this.tmpDir, `${uniqueName()}.part`);
    const handle = await open(tmpPath, 'wx', FILE_MODE);
    return new FsPendingObject(handle, tmpPath, (path, size, metadata) =>
      this.commitData(bucket, ref, path, size, metadata),
    );
  }

  private commitData(bucket: string, ref: KeyRef, tmpData: string, size: number, metadata: Buffer): Promise<void> {
    this.checkOpen();
    return this.bucketLocks.shared(bucket, () =>
      this.keyLocks.run(this.lockName(bucket, ref.key), async () => {
        await this.assertBucket(bucket);
        const dataName = uniqueName();
        const dataFile = this.dataPath(bucket, dataName);
        const shardDir = join(dataFile, '..');
        await mkdir(shardDir, { mode: DIR_MODE }).catch((err: unknown) => {
          if (!isErrno(err, 'EEXIST')) throw err;
        });
        await rename(tmpData, dataFile);
        try {
          await fsyncDir(shardDir);
          const previous = await this.readRecord(bucket, ref.path).catch(() => null);
          await this.installRecord(bucket, ref.path, { dataName, dataSize: size, metadata });
          if (previous && previous.dataName !== dataName) {
            await unlink(this.dataPath(bucket, previous.dataName)).catch(() => {});
          }
        } catch (err) {
          await unlink(dataFile).catch(() => {});
          throw err;
        }
      }),
    );
  }

  /** Writes the record aside, then renames it over the key's record path. */
  private async installRecord(bucket: string, path: KeyPath, record: ObjectRecord): Promise<void> {
    const tmpRecord = join(this.tmpDir, `${uniqueName()}.rec`);
    await writeFileSynced(tmpRecord, encodeObjectRecord(record));
    try {
      const keysDir = this.keysDir(bucket);
      for (let attempt = 0; ; attempt++) {
        let dir = keysDir;
        try {
          for (const segment of path.dirs) {
            const child = join(dir, segment);
            const created = await mkdir(child, { mode: DIR_MODE }).then(
              () => true,
              (err: unknown) => {
                if (isErrno(err, 'EEXIST')) return false;
                throw err;
              },
            );
            if (created) await fsyncDir(dir);
            dir = child;
          }
          await rename(tmpRecord, join(dir, path.record));
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

  private async readRecord(bucket: string, path: KeyPath): Promise<ObjectRecord | null> {
    try {
      return decodeObjectRecord(await readFile(this.recordPath(bucket, path)));
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return null;
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
    const ref = this.keyRef(bucket, key);
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const record = await this.readExistingRecord(bucket, ref);
      let handle;
      try {
        handle = await open(this.dataPath(bucket, record.dataName), 'r');
      } catch (err) {
        if (isErrno(err, 'ENOENT')) continue; // overwritten or deleted meanwhile: look again
        throw err;
      }
      const { size } = await handle.stat();
      if (size !== record.dataSize) {
        await handle.close();
        throw new StorageError(`data file size ${size} does not match record (${record.dataSize})`);
      }
      return new FsStoredObject(handle, record.metadata, record.dataSize);
    }
    throw new StorageError('object kept changing while being opened');
  }

  async headObject(bucket: string, key: string): Promise<{ metadata: Buffer; dataSize: number }> {
    this.checkOpen();
    const record = await this.readExistingRecord(bucket, this.keyRef(bucket, key));
    return { metadata: record.metadata, dataSize: record.dataSize };
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    this.checkOpen();
    const ref = this.keyRef(bucket, key);
    await this.bucketLocks.shared(bucket, () =>
      this.keyLocks.run(this.lockName(bucket, key), async () => {
        await this.assertBucket(bucket);
        const recordPath = this.recordPath(bucket, ref.path);
        // A record we cannot parse is still removed; its data file is left to the sweep.
        const record = await this.readRecord(bucket, ref.path).catch(() => null);
        try {
          await unlink(recordPath);
        } catch (err) {
          if (isErrno(err, 'ENOENT', 'ENOTDIR')) return;
          throw err;
        }
        await fsyncDir(join(recordPath, '..'));
        if (record) await unlink(this.dataPath(bucket, record.dataName)).catch(() => {});
        await this.pruneEmptyDirs(bucket, ref.path);
      }),
    );
  }

  /** Removes now-empty directories bottom-up; a concurrent put retries if it loses. */
  private async pruneEmptyDirs(bucket: string, path: KeyPath): Promise<void> {
    const keysDir = this.keysDir(bucket);
    for (let depth = path.dirs.length; depth > 0; depth--) {
      try {
        await rmdir(join(keysDir, ...path.dirs.slice(0, depth)));
      } catch (err) {
        if (isErrno(err, 'ENOTEMPTY', 'EEXIST', 'ENOENT')) return;
        throw err;
      }
    }
  }

  async listObjects(
    bucket: string,
    opts: { prefix?: string; startAfter?: string; limit: number },
  ): Promise<{ keys: string[]; isTruncated: boolean }> {
    this.checkOpen();
    if (!Number.isSafeInteger(opts.limit) || opts.limit < 0) throw new RangeError('limit must be a non-negative integer');
    await this.assertBucket(bucket);
    const range = {
      prefix: Buffer.from(opts.prefix ?? '', 'utf8'),
      startAfter: opts.startAfter === undefined ? null : Buffer.from(opts.startAfter, 'utf8'),
    };
    const keys: string[] = [];
    for await (const key of walkKeys(this.keysDir(bucket), range)) {
      if (keys.length === opts.limit) return { keys, isTruncated: true };
      keys.push(key.toString('utf8'));
    }
    return { keys, isTruncated: false };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
