/**
 * What a listing shows of an object (size, ETag, last-modified, storage class, checksum
 * algorithm), taken from its metadata record: handed to storage with every commit, so a
 * listing never reads records, the KMS or object data.
 */
import type { ListingEntry } from '@kmsgate/storage';
import type { ObjectMetadata } from './metadata.js';

/** The listing entry of an object, from its metadata record (what every write commits beside it). */
export function listingEntryOf(meta: Omit<ObjectMetadata, 'metaMac' | 'metaVersion'>): ListingEntry {
  const [checksumAlgorithm] = Object.keys(meta.checksums);
  return {
    size: meta.plaintextSize,
    etag: meta.etag,
    lastModified: new Date(meta.lastModified),
    storageClass: meta.storageClass,
    ...(checksumAlgorithm ? { checksumAlgorithm, checksumType: 'FULL_OBJECT' } : {}),
  };
}

