/**
 * What ListObjects, ListObjectsV2 and ListObjectVersions share: their query parameters,
 * checked in the order S3 checks them and refused with S3's exact errors; the page read
 * from storage; `encoding-type=url`; the V2 continuation token.
 *
 * Continuation token (opaque to clients): base64 of
 *   1. version  1 byte  0x01
 *   2. after    rest    UTF-8 of the last item of the previous page (key or common prefix)
 * Anything else is refused as S3 refuses a token it did not issue.
 */
import type { ListedItem, ListingEntry } from '@kmsgate/storage';
import { S3Error } from '../http/errors.js';
import type { OperationContext } from '../operations/operation.js';
import { listingEntryOf, parseMetadata } from '../sse/index.js';

export const MAX_KEYS = 1000;
const MAX_INT32 = 2 ** 31 - 1;
const TOKEN_VERSION = 0x01;

/** max-keys: absent = 1000; answered pages never exceed 1000. */
export function parseMaxKeys(query: URLSearchParams): number {
  const raw = query.get('max-keys');
  if (raw === null) return MAX_KEYS;
  if (!/^-?\d+$/.test(raw) || Number(raw) > MAX_INT32 || Number(raw) < -MAX_INT32 - 1) {
    throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys', ArgumentValue: raw });
  }
  const value = Number(raw);
  if (value < 0) throw new S3Error('InvalidArgument', 'max-keys cannot be negative', { ArgumentName: 'max-keys' });
  return Math.min(value, MAX_KEYS);
}

/** true for `encoding-type=url`; any other value is refused. */
export function parseEncodingType(query: URLSearchParams): boolean {
  const raw = query.get('encoding-type');
  if (raw === null) return false;
  if (raw !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: raw });
  }
  return true;
}

const UNRESERVED = /[A-Za-z0-9\-._~/]/;

/** S3's url encoding of listed names: UTF-8 percent-encoding of all but unreserved bytes and '/'. */
export function urlEncodeName(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function encodeContinuationToken(after: string): string {
  return Buffer.concat([Buffer.from([TOKEN_VERSION]), Buffer.from(after, 'utf8')]).toString('base64');
}

export function decodeContinuationToken(token: string): string {
  const bytes = Buffer.from(token, 'base64');
  const after = bytes.subarray(1).toString('utf8');
  const canonical = bytes.length > 1 && bytes.toString('base64') === token && bytes[0] === TOKEN_VERSION;
  if (!canonical || Buffer.from(after, 'utf8').compare(bytes, 1) !== 0) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  }
  return after;
}

/** For objects stored before listing entries: their clear metadata fields, never the KMS. */
const describeStoredMetadata = (metadata: Buffer): ListingEntry => listingEntryOf(parseMetadata(metadata));

export interface PageQuery {
  prefix: string;
  delimiter: string | undefined;
  /** Items strictly after this. */
  after: string | undefined;
  maxKeys: number;
}

export interface Page {
  items: ListedItem[];
  isTruncated: boolean;
  /** The last item of a truncated page, where the next one starts. */
  next: string | undefined;
}

/** One page from storage. max-keys=0 answers an empty, untruncated page, as S3 does. */
export async function readPage(ctx: OperationContext, q: PageQuery): Promise<Page> {
  if (q.maxKeys === 0) return { items: [], isTruncated: false, next: undefined };
  const { items, isTruncated } = await ctx.deps.store.listObjects(ctx.bucket, {
    prefix: q.prefix,
    delimiter: q.delimiter || undefined,
    startAfter: q.after,
    limit: q.maxKeys,
    describe: describeStoredMetadata,
  });
  const last = items[items.length - 1];
  const next = isTruncated && last ? (last.kind === 'object' ? last.key : last.prefix) : undefined;
  return { items, isTruncated, next };
}

/** The query parameter, or undefined when absent. */
export const param = (query: URLSearchParams, name: string): string | undefined => query.get(name) ?? undefined;

export interface ListRequest {
  maxKeys: number;
  encode: boolean;
  prefix: string;
  delimiter: string | undefined;
}

/**
 * The parameters all three listings share, in S3's order: a missing bucket answers
 * NoSuchBucket before any argument error, then max-keys, then encoding-type.
 */
export async function parseListRequest(ctx: OperationContext): Promise<ListRequest> {
  await ctx.deps.store.headBucket(ctx.bucket);
  const maxKeys = parseMaxKeys(ctx.query);
  const encode = parseEncodingType(ctx.query);
  return { maxKeys, encode, prefix: param(ctx.query, 'prefix') ?? '', delimiter: param(ctx.query, 'delimiter') };
}
