/**
 * The XML of listed objects and common prefixes, element order as S3 writes it:
 * Contents = Key, LastModified, ETag, [ChecksumAlgorithm, ChecksumType], Size, [Owner], StorageClass;
 * Version  = Key, VersionId, IsLatest, LastModified, ETag, [ChecksumAlgorithm, ChecksumType], Size, StorageClass, Owner.
 * On these unversioned buckets each object is its one `null` version, the latest.
 */
import type { ListedItem, ListingEntry } from '@kmsgate/storage';
import type { XmlObject } from '../http/xml.js';
import type { Principal } from '../identity/identity.js';
import { urlEncodeName, type ListRequest, type Page } from './listing.js';

export interface Owner {
  ID: string;
  DisplayName: string;
}

/** The owner of every object: the account, named as ListBuckets names it. */
export const ownerOf = (principal: Pick<Principal, 'accountId' | 'name'>): Owner => ({ ID: principal.accountId, DisplayName: principal.name });

/** A record no listing entry could be found for still lists, with what is known. */
const UNKNOWN: ListingEntry = { size: 0, etag: '', lastModified: new Date(0), storageClass: 'STANDARD' };

export interface RenderOptions {
  encode: boolean;
  owner: Owner | undefined;
}

export const nameOf = (name: string, encode: boolean): string => (encode ? urlEncodeName(name) : name);

/** LastModified, ETag, [ChecksumAlgorithm, ChecksumType], Size: the run both shapes share. */
function described(entry: ListingEntry | null): XmlObject {
  const e = entry ?? UNKNOWN;
  const checksum = e.checksumAlgorithm ? { ChecksumAlgorithm: e.checksumAlgorithm, ChecksumType: e.checksumType } : {};
  return { LastModified: e.lastModified, ETag: `"${e.etag}"`, ...checksum, Size: e.size };
}

export function contentsOf(items: readonly ListedItem[], opts: RenderOptions): XmlObject[] {
  return items.flatMap((item) =>
    item.kind === 'object'
      ? [{ Key: nameOf(item.key, opts.encode), ...described(item.entry), Owner: opts.owner ? { ...opts.owner } : undefined, StorageClass: (item.entry ?? UNKNOWN).storageClass }]
      : [],
  );
}

export function versionsOf(items: readonly ListedItem[], opts: RenderOptions): XmlObject[] {
  return items.flatMap((item) =>
    item.kind === 'object'
      ? [{
          Key: nameOf(item.key, opts.encode), VersionId: 'null', IsLatest: true, ...described(item.entry),
          StorageClass: (item.entry ?? UNKNOWN).storageClass, Owner: opts.owner ? { ...opts.owner } : undefined,
        }]
      : [],
  );
}

export function commonPrefixesOf(items: readonly ListedItem[], encode: boolean): XmlObject[] {
  return items.flatMap((item) => (item.kind === 'prefix' ? [{ Prefix: nameOf(item.prefix, encode) }] : []));
}

/** MaxKeys, Delimiter, EncodingType, IsTruncated: the run every listing document shares. */
export function pageFields(req: ListRequest, page: Page): XmlObject {
  return {
    MaxKeys: req.maxKeys,
    Delimiter: req.delimiter === undefined ? undefined : nameOf(req.delimiter, req.encode),
    EncodingType: req.encode ? 'url' : undefined,
    IsTruncated: page.isTruncated,
  };
}
