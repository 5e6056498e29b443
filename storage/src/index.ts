// @kmsgate/storage: where encrypted objects live. The contract suite is a separate entry
// (./contract.js) so runtime code never loads jest.
export type { BucketInfo, CommitOptions, ListedItem, ListingEntry, ListOptions, ObjectStore, PendingObject, StoredObject } from './object-store.js';
export {
  BucketExistsError,
  BucketNotEmptyError,
  KeyTooLongError,
  NoSuchBucketError,
  NoSuchKeyError,
  StorageError,
} from './errors.js';
export { FsObjectStore } from './fs-store.js';
