/**
 * What a listing shows of an object (size, ETag, last-modified, storage class, checksum
 * algorithm), taken from its metadata record: handed to storage with every commit, so a
 * listing never reads records, the KMS or object data.
 */
import type { ListingEntry } from '@kmsgate/storage';
import type { ObjectMetadata } from './metadata.js';

/** COMPOSITE for a multipart object's composite checksum (`<b64>-<parts>`), else FULL_OBJECT. */
export function checksumTypeOf(value: string): 'COMPOSITE' | 'FULL_OBJECT' {
  return /-\d+$/.test(value) ? 'COMPOSITE' : 'FULL_OBJECT';
}

/** The listing entry of an object, from its metadata record (what every write commits beside it). */
export function listingEntryOf(meta: Omit<ObjectMetadata, 'metaMac' | 'metaVersion'>): ListingEntry {
  const [[checksumAlgorithm, value] = []] = Object.entries(meta.checksums);
  return {
    size: meta.plaintextSize,
    etag: meta.etag,
    lastModified: new Date(meta.lastModified),
    storageClass: meta.storageClass,
    ...(checksumAlgorithm ? { checksumAlgorithm, checksumType: checksumTypeOf(value ?? '') } : {}),
  };
}

