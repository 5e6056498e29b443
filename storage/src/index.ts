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
