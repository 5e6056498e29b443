/**
 * CopyObject's request headers about its source: `x-amz-copy-source`, the metadata directive
 * and the `x-amz-copy-source-if-*` conditions, as Amazon S3 reads them.
 *
 * 1. `x-amz-copy-source` is `[/]<bucket>/<url-encoded key>[?versionId=<id>]`. The query is
 *    split off before decoding (a `?` in a key arrives as %3F); the rest is percent-decoded as
 *    UTF-8 and split at its first `/`. No key, or bad encoding → 400 InvalidArgument.
 * 2. Objects here are unversioned, so their one version is `null`: `versionId=null` names it,
 *    any other id is refused (InvalidArgument "Invalid version id specified").
 * 3. Conditions are checked in S3's order (recorded against AWS): If-Match, If-Unmodified-Since,
 *    If-None-Match, If-Modified-Since. A true If-Match overrides a false If-Unmodified-Since and
 *    a false If-None-Match is a failure whatever If-Modified-Since says (RFC 7232 §6). Each
 *    failure is 412 PreconditionFailed naming the header in `Condition`. ETags match with or
 *    without quotes, `*` matches any; an unparseable or future date is ignored; dates compare
 *    at the second, as Last-Modified is sent.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';

export const COPY_SOURCE = 'x-amz-copy-source';
const METADATA_DIRECTIVE = 'x-amz-metadata-directive';

export interface CopySource {
  readonly bucket: string;
  readonly key: string;
}

export function parseCopySource(value: string | undefined): CopySource {
  const invalid = (message = 'Invalid copy source object key'): S3Error =>
    new S3Error('InvalidArgument', message, { ArgumentName: COPY_SOURCE, ArgumentValue: value ?? '' });
  if (value === undefined) throw invalid();
  const query = value.indexOf('?');
  const path = query === -1 ? value : value.slice(0, query);
  if (query !== -1) checkVersionQuery(value.slice(query + 1));
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw invalid();
  }
  const trimmed = decoded.startsWith('/') ? decoded.slice(1) : decoded;
  const slash = trimmed.indexOf('/');
  if (slash <= 0 || slash === trimmed.length - 1) throw invalid();
  return { bucket: trimmed.slice(0, slash), key: trimmed.slice(slash + 1) };
}

function checkVersionQuery(query: string): void {
  for (const [name, id] of new URLSearchParams(query)) {
    if (name === 'versionId' && id !== 'null') {
      throw new S3Error('InvalidArgument', 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: id });
    }
  }
}

export type MetadataDirective = 'COPY' | 'REPLACE';

export function parseMetadataDirective(headers: IncomingHttpHeaders): MetadataDirective {
  const value = headerValue(headers, METADATA_DIRECTIVE);
  if (value === undefined || value === 'COPY' || value === 'REPLACE') return value ?? 'COPY';
  throw new S3Error('InvalidArgument', 'Unknown metadata directive.', { ArgumentName: METADATA_DIRECTIVE, ArgumentValue: value });
}

/** The source object as the conditions see it. */
export interface ConditionTarget {
  /** Unquoted. */
  readonly etag: string;
  /** ISO 8601. */
  readonly lastModified: string;
}

const CONDITIONS = [
  ['x-amz-copy-source-if-match', 'x-amz-copy-source-If-Match'],
  ['x-amz-copy-source-if-unmodified-since', 'x-amz-copy-source-If-Unmodified-Since'],
  ['x-amz-copy-source-if-none-match', 'x-amz-copy-source-If-None-Match'],
  ['x-amz-copy-source-if-modified-since', 'x-amz-copy-source-If-Modified-Since'],
] as const;

function etagMatches(list: string, etag: string): boolean {
  return list.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag.replace(/^"(.*)"$/, '$1') === etag;
  });
}

/** Seconds since the epoch of an HTTP date, or undefined when it is not one (then ignored). */
function httpDateSeconds(value: string): number | undefined {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** Throws 412 PreconditionFailed unless the `x-amz-copy-source-if-*` headers hold for `source`. */
export function checkCopySourceConditions(headers: IncomingHttpHeaders, source: ConditionTarget, now = new Date()): void {
  const [ifMatch, ifUnmodifiedSince, ifNoneMatch, ifModifiedSince] = CONDITIONS.map(([name]) => headerValue(headers, name));
  const modified = Math.floor(Date.parse(source.lastModified) / 1000);
  const fail = (index: number): never => {
    throw new S3Error('PreconditionFailed', undefined, { Condition: CONDITIONS[index]![1] });
  };
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, source.etag)) fail(0);
  } else if (ifUnmodifiedSince !== undefined) {
    const since = httpDateSeconds(ifUnmodifiedSince);
    if (since !== undefined && modified > since) fail(1);
  }
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, source.etag)) fail(2);
  } else if (ifModifiedSince !== undefined) {
    const since = httpDateSeconds(ifModifiedSince);
    if (since !== undefined && since <= Math.floor(now.getTime() / 1000) && modified <= since) fail(3);
  }
}
