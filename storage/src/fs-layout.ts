// Where things live under a filesystem store's root (layout described in fs-store.ts), and
// the checks that keep every computed path inside it.
import { createHash } from 'node:crypto';
import { join, sep } from 'node:path';
import { KeyTooLongError, StorageError } from './errors.js';
import { bucketDirName, keyPath, MAX_KEY_BYTES, type KeyPath } from './key-path.js';

export interface KeyRef {
  key: string;
  path: KeyPath;
}

/** Escaped bucket directory names stay far below NAME_MAX. */
const MAX_BUCKET_DIR_BYTES = 200;

/** Buckets whose keys/ path is kept worked out; past this the memo starts again. */
const KEYS_DIR_MEMO = 256;

export class FsLayout {
  /**
   * Every GET, HEAD and PUT names a record under a bucket's keys/: that folder's path is worked
   * out once per bucket, and the key's entries are put after it without join(), which would
   * normalise them again. They need none: each is a type letter and escaped bytes (key-path.ts),
   * never empty, "." or "..", and never holding a separator. Bounded, since a client may name
   * any number of buckets that do not exist.
   */
  private readonly keysDirs = new Map<string, string>();

  constructor(readonly root: string) {}

  get tmpDir(): string {
    return join(this.root, 'tmp');
  }

  /** Replaced record files kept for reuse (fs-spare-records.ts). */
  get spareDir(): string {
    return join(this.root, 'spare');
  }

  get bucketsDir(): string {
    return join(this.root, 'buckets');
  }

  /** The store-wide listing state (fs-listing-state.ts). */
  get listingState(): string {
    return join(this.root, 'listing-state');
  }

  /** A fresh path in tmp/ with a suffix saying what it is for. */
  tmpPath(suffix: string, unique: string): string {
    return join(this.tmpDir, `${unique}.${suffix}`);
  }

  bucketDir(bucket: string): string {
    // Bucket names are validated by the gateway; this only keeps the path well-formed.
    if (bucket.length === 0 || Buffer.from(bucket, 'utf8').toString('utf8') !== bucket) {
      throw new StorageError('invalid bucket name');
    }
    const name = bucketDirName(bucket);
    if (name.length > MAX_BUCKET_DIR_BYTES) throw new StorageError('bucket name too long');
    return join(this.bucketsDir, name);
  }

  bucketRecord(bucket: string): string {
    return join(this.bucketDir(bucket), 'bucket.json');
  }

  /** The gateway's per-bucket configuration, opaque to storage. */
  bucketConfig(bucket: string): string {
    return join(this.bucketDir(bucket), 'config');
  }

  keysDir(bucket: string): string {
    let dir = this.keysDirs.get(bucket);
    if (dir === undefined) {
      dir = join(this.bucketDir(bucket), 'keys');
      if (this.keysDirs.size >= KEYS_DIR_MEMO) this.keysDirs.clear();
      this.keysDirs.set(bucket, dir);
    }
    return dir;
  }

  /** Persisted listing summaries of the bucket's key-tree directories (fs-listing-summaries.ts). */
  summariesDir(bucket: string): string {
    return join(this.bucketDir(bucket), 'summaries');
  }

  /**
   * The summary of the key-tree directory `dir` (below keys/, "" for keys/ itself): one flat
   * folder, named by a digest of the path, so a summary needs no folder per level to create
   * or prune, and its name stays short however deep a 1024-byte key's directory lies. The
   * summary names its directory inside, so a digest collision is seen, never trusted.
   */
  summaryPath(bucket: string, dir: string): string {
    return join(this.summariesDir(bucket), createHash('sha256').update(dir, 'utf8').digest('hex').slice(0, 32));
  }

  keyRef(bucket: string, key: string): KeyRef {
    const bytes = Buffer.from(key, 'utf8');
    // Lone surrogates would silently become U+FFFD and alias another key.
    if (bytes.length === 0 || bytes.toString('utf8') !== key) throw new StorageError('invalid key');
    if (bytes.length > MAX_KEY_BYTES) throw new KeyTooLongError(bucket, key);
    return { key, path: keyPath(bytes) };
  }

  keyDir(bucket: string, path: KeyPath): string {
    const dir = this.keysDir(bucket);
    return path.dirs.length === 0 ? dir : dir + sep + path.dirs.join(sep);
  }

  recordPath(bucket: string, path: KeyPath): string {
    return this.keyDir(bucket, path) + sep + path.record;
  }

  /** Data files are spread over 256 shard directories by their first hex byte. */
  dataPath(bucket: string, dataName: string): string {
    return join(this.bucketDir(bucket), 'data', dataName.slice(0, 2), dataName);
  }
}
