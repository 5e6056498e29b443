// The listing entry as storage keeps it inside its own record (object-record.ts): canonical
// UTF-8 JSON, parsed strictly. Pure: no I/O.
//
//   {"etag":"<str>","lastModified":<ms since epoch>,"size":<uint>,"storageClass":"<str>"
//    [,"checksumAlgorithm":"<str>"][,"checksumType":"<str>"]}
import type { ListingEntry } from './object-store.js';

const MAX_TEXT = 256;

export class CorruptListingEntryError extends Error {
  constructor(reason: string) {
    super(`corrupt listing entry: ${reason}`);
    this.name = 'CorruptListingEntryError';
  }
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT;

export function checkListingEntry(entry: ListingEntry): void {
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw new RangeError('listing size must be a non-negative safe integer');
  if (!Number.isFinite(entry.lastModified.getTime())) throw new RangeError('listing lastModified must be a valid date');
  for (const text of [entry.etag, entry.storageClass]) if (!isText(text)) throw new RangeError('listing text fields must be 1..256 characters');
  for (const text of [entry.checksumAlgorithm, entry.checksumType]) {
    if (text !== undefined && !isText(text)) throw new RangeError('listing text fields must be 1..256 characters');
  }
}

export function encodeListingEntry(entry: ListingEntry): Buffer {
  checkListingEntry(entry);
  const json: Record<string, string | number> = {};
  if (entry.checksumAlgorithm !== undefined) json.checksumAlgorithm = entry.checksumAlgorithm;
  if (entry.checksumType !== undefined) json.checksumType = entry.checksumType;
  json.etag = entry.etag;
  json.lastModified = entry.lastModified.getTime();
  json.size = entry.size;
  json.storageClass = entry.storageClass;
  return Buffer.from(JSON.stringify(json), 'utf8');
}

export function decodeListingEntry(bytes: Buffer): ListingEntry {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new CorruptListingEntryError('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CorruptListingEntryError('not an object');
  const { etag, lastModified, size, storageClass, checksumAlgorithm, checksumType, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new CorruptListingEntryError('unknown field');
  if (!isText(etag) || !isText(storageClass)) throw new CorruptListingEntryError('bad text field');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new CorruptListingEntryError('bad size');
  if (typeof lastModified !== 'number' || !Number.isSafeInteger(lastModified)) throw new CorruptListingEntryError('bad lastModified');
  if (checksumAlgorithm !== undefined && !isText(checksumAlgorithm)) throw new CorruptListingEntryError('bad checksumAlgorithm');
  if (checksumType !== undefined && !isText(checksumType)) throw new CorruptListingEntryError('bad checksumType');
  const entry: ListingEntry = { size, etag, lastModified: new Date(lastModified), storageClass };
  if (checksumAlgorithm !== undefined) entry.checksumAlgorithm = checksumAlgorithm;
  if (checksumType !== undefined) entry.checksumType = checksumType;
  return entry;
}
