// The storage seam. Storage never sees plaintext or keys: an object is opaque data bytes
// plus an opaque metadata record written by the gateway. Every backend (filesystem now,
// upstream S3 later) implements this interface and passes runObjectStoreContract.
import type { Readable, Writable } from 'node:stream';

export interface BucketInfo {
  name: string;
  creationDate: Date;
}

/**
 * What a listing shows of one object, handed over by the gateway at commit and kept with
 * the record, so listing reads neither the KMS nor the object data. Sizes are the
 * plaintext's: storage never interprets them.
 */
export interface ListingEntry {
  size: number;
  /** Unquoted. */
  etag: string;
  lastModified: Date;
  storageClass: string;
  checksumAlgorithm?: string;
  checksumType?: string;
}

/** One item of a listing page: an object, or a common prefix when a delimiter was given. */
export type ListedItem =
  | { kind: 'object'; key: string; entry: ListingEntry | null }
  | { kind: 'prefix'; prefix: string };

export interface ListOptions {
  prefix?: string;
  /** Only items strictly greater than this (a common prefix not greater is left out). */
  startAfter?: string;
  /** Keys holding it after the prefix roll up into one common prefix, counted once. */
  delimiter?: string;
  /** Items (objects + common prefixes) per page. */
  limit: number;
  /**
   * For records committed without a listing entry (written before entries existed): how
   * to derive one from the opaque metadata. Without it, such objects list with entry null.
   */
  describe?: (metadata: Buffer) => ListingEntry;
}

/**
 * A condition on the version a commit replaces, for conditional writes (If-None-Match: *,
 * If-Match). Backends evaluate it while holding the key, so no other commit of that key can
 * land between the check and the commit: of two racing create-only writes, one sees the other.
 */
export interface CommitOptions {
  /**
   * Called with the metadata of the key's current version (null: none). Throwing refuses
   * the commit: the error is what commit() rejects with, and the written data is dropped.
   */
  precondition?(current: Buffer | null): void;
  /** What a listing shows of the new version, kept with its record (see ListingEntry). */
  listing?: ListingEntry;
}

export interface PendingObject {
  /** Write the data bytes here; they go to a temporary location until commit(). */
  readonly stream: NodeJS.WritableStream & Writable;
  /**
   * After the stream finished: make (data, metadata, listing entry) the visible object
   * atomically, if the precondition holds.
   */
  commit(metadata: Buffer, options?: CommitOptions): Promise<void>;
  /** Drop everything written; idempotent; safe after a failed or destroyed stream. */
  abort(): Promise<void>;
}

export interface StoredObject {
  readonly metadata: Buffer;
  readonly dataSize: number;
  /**
   * Data bytes [start, end] inclusive (default: all) of exactly this version, even if the
   * key is overwritten or deleted meanwhile.
   */
  read(range?: { start: number; end: number }): Readable;
  /** Release the handle; idempotent. */
  close(): Promise<void>;
}

export interface ObjectStore {
  createBucket(name: string): Promise<void>;
  headBucket(name: string): Promise<BucketInfo>;
  /** Sorted by name. */
  listBuckets(): Promise<BucketInfo[]>;
  deleteBucket(name: string): Promise<void>;
  /** The bucket's configuration record as last written (opaque bytes), or null if never written. */
  getBucketConfig(name: string): Promise<Buffer | null>;
  /**
   * Replaces the configuration record with `update(current)`, atomically and durably.
   * Updates of one bucket run one at a time, so read-modify-write loses nothing; an error
   * thrown by `update` leaves the record as it was.
   */
  updateBucketConfig(name: string, update: (current: Buffer | null) => Buffer): Promise<void>;
  beginPut(bucket: string, key: string): Promise<PendingObject>;
  getObject(bucket: string, key: string): Promise<StoredObject>;
  /** Metadata only; opens no data handle. */
  headObject(bucket: string, key: string): Promise<{ metadata: Buffer; dataSize: number }>;
  /** Idempotent: deleting a missing key succeeds. */
  deleteObject(bucket: string, key: string): Promise<void>;
  /**
   * Objects and common prefixes in UTF-8 byte order, one page at a time; a page costs what
   * it returns, not what the bucket holds. An object's entry is null only for a record that
   * has none and that `describe` could not (or was not given to) describe.
   */
  listObjects(bucket: string, opts: ListOptions): Promise<{ items: ListedItem[]; isTruncated: boolean }>;
  close(): Promise<void>;
}
