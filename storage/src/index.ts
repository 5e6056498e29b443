// @kmsgate/storage: where encrypted objects live. The contract suite is a separate entry
// (./contract.js) so runtime code never loads jest.
export type {
  BucketInfo, CommitOptions, ListedItem, ListingEntry, ListOptions, ListUploadsOptions, ObjectStore, PendingObject, PendingPart, StoredObject, StoredPart,
  UploadInfo,
} from './object-store.js';
export {
  BucketExistsError,
  BucketNotEmptyError,
  KeyTooLongError,
  NoSuchBucketError,
  NoSuchKeyError,
  NoSuchUploadError,
  PartChangedError,
  StorageError,
} from './errors.js';
export { FsObjectStore } from './fs-store.js';
// Pure record parsing, for tools that read a data directory as the disk holds it (the demo).
export { decodeObjectRecord } from './object-record.js';
export type { DataFile, ObjectRecord } from './object-record.js';
