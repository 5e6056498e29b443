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

// Built field by field rather than by spreading shared parts: a listing renders a thousand
// of these per page, and each spread is an extra object to build and copy.

/** Contents / Version of one object; `version` adds VersionId, IsLatest and moves Owner last. */
function objectElement(key: string, entry: ListingEntry | null, opts: RenderOptions, version: boolean): XmlObject {
  const e = entry ?? UNKNOWN;
  const out: XmlObject = { Key: nameOf(key, opts.encode) };
  if (version) {
    out.VersionId = 'null';
    out.IsLatest = true;
  }
  out.LastModified = e.lastModified;
  out.ETag = `"${e.etag}"`;
  if (e.checksumAlgorithm) {
    out.ChecksumAlgorithm = e.checksumAlgorithm;
    out.ChecksumType = e.checksumType;
  }
  out.Size = e.size;
  if (opts.owner && !version) out.Owner = { ...opts.owner };
  out.StorageClass = e.storageClass;
  if (opts.owner && version) out.Owner = { ...opts.owner };
  return out;
}

export function contentsOf(items: readonly ListedItem[], opts: RenderOptions): XmlObject[] {
  const out: XmlObject[] = [];
  for (const item of items) if (item.kind === 'object') out.push(objectElement(item.key, item.entry, opts, false));
  return out;
}

export function versionsOf(items: readonly ListedItem[], opts: RenderOptions): XmlObject[] {
  const out: XmlObject[] = [];
  for (const item of items) if (item.kind === 'object') out.push(objectElement(item.key, item.entry, opts, true));
  return out;
}

export function commonPrefixesOf(items: readonly ListedItem[], encode: boolean): XmlObject[] {
  const out: XmlObject[] = [];
  for (const item of items) if (item.kind === 'prefix') out.push({ Prefix: nameOf(item.prefix, encode) });
  return out;
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
