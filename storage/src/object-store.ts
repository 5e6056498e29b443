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
  /** All data bytes, every piece together. */
  readonly dataSize: number;
  /**
   * The sizes of the object's data pieces, in order: one for a single-part object, one per
   * part for a multipart object (its parts are kept as written, never concatenated).
   */
  readonly pieces: readonly number[];
  /**
   * Data bytes [start, end] inclusive (default: all) of piece `piece` (optional when there is
   * only one) of exactly this version, even if the key is overwritten or deleted meanwhile.
   */
  read(range?: { start: number; end: number }, piece?: number): Readable;
  /**
   * All data bytes, when the store holds them in memory already (a small object whose bytes
   * came with its record); absent otherwise. A reader may take them instead of read().
   */
  readonly inline?: Buffer;
  /** Release the handle; idempotent. */
  close(): Promise<void>;
}

/** A multipart upload in progress. */
export interface UploadInfo {
  readonly key: string;
  /** Chosen by the store; opaque to callers. */
  readonly uploadId: string;
  readonly initiated: Date;
  /** The gateway's opaque upload record, as given to createUpload. */
  readonly record: Buffer;
}

/** One uploaded part: the latest attempt at its part number. */
export interface StoredPart {
  readonly partNumber: number;
  /** Names this attempt: a completion keeps exactly the attempts it names. */
  readonly attempt: string;
  readonly size: number;
  readonly metadata: Buffer;
  readonly lastModified: Date;
}

export interface PendingPart {
  /** Write the part's data bytes here. */
  readonly stream: NodeJS.WritableStream & Writable;
  /**
   * After the stream finished: make this attempt the part's data, replacing an earlier
   * attempt at the same number. Fails with NoSuchUploadError if the upload ended meanwhile.
   */
  commit(metadata: Buffer): Promise<StoredPart>;
  abort(): Promise<void>;
}

export interface ListUploadsOptions {
  prefix?: string;
  /** Uploads of keys after this key, or of this key initiated after `uploadIdMarker`. */
  keyMarker?: string;
  uploadIdMarker?: string;
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

  // ---- multipart uploads: in progress they survive a restart; parts are separate data ----
  createUpload(bucket: string, key: string, record: Buffer): Promise<UploadInfo>;
  /** NoSuchUploadError unless the upload is in progress for this very key. */
  getUpload(bucket: string, key: string, uploadId: string): Promise<UploadInfo>;
  beginPart(bucket: string, key: string, uploadId: string, partNumber: number): Promise<PendingPart>;
  /** The latest attempt of every part number, by part number. */
  listParts(bucket: string, key: string, uploadId: string): Promise<StoredPart[]>;
  /** Uploads in progress by key (UTF-8 byte order), then by initiation. */
  listUploads(bucket: string, opts: ListUploadsOptions): Promise<UploadInfo[]>;
  /**
   * Makes the named part attempts, in the given order, the object's data under `metadata`,
   * atomically, if the precondition holds; every other part is removed with the upload. The
   * data is not copied: the parts become the object's pieces. PartChangedError if a named
   * attempt is no longer the part's latest; NoSuchUploadError if the upload ended.
   */
  completeUpload(
    bucket: string, key: string, uploadId: string, parts: readonly { partNumber: number; attempt: string }[], metadata: Buffer, options?: CommitOptions,
  ): Promise<void>;
  /** Removes the upload and every part file. NoSuchUploadError if it is not in progress. */
  abortUpload(bucket: string, key: string, uploadId: string): Promise<void>;
  close(): Promise<void>;
}
