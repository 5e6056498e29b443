/**
 * Conditional requests, as Amazon S3 evaluates them.
 *
 * Reads (GetObject, HeadObject), in this order:
 * 1. If-Match present: no listed ETag matches (`*` matches any object) -> 412
 *    PreconditionFailed, Condition=If-Match. If-Unmodified-Since is then not looked at
 *    (If-Match true + If-Unmodified-Since false -> 200).
 * 2. Else If-Unmodified-Since: modified after it -> 412, Condition=If-Unmodified-Since.
 * 3. If-None-Match present: a listed ETag matches (`*` matches any object) -> 304.
 *    If-Modified-Since is then not looked at (If-None-Match false + If-Modified-Since true -> 304).
 * 4. Else If-Modified-Since (a date not in the future): not modified since -> 304.
 * ETags compare with or without their quotes (and a W/ prefix); a list is comma-separated.
 * Dates are HTTP dates; one that does not parse is ignored. Last-Modified travels with
 * whole seconds, so the comparison drops the stored milliseconds: a client echoing the
 * Last-Modified it got sees "not modified".
 *
 * Writes (PutObject): `If-None-Match: *` -> 412 (Condition=If-None-Match) when the key
 * exists; any other If-None-Match value -> 501 NotImplemented. `If-Match` -> 412
 * (Condition=If-Match) on another ETag, 404 NoSuchKey when the key does not exist. The
 * check runs once early (to fail before the upload) and again under the key's lock at
 * commit, which is the one that counts.
 */
import type { CommitOptions, ObjectStore } from '@kmsgate/storage';
import { NoSuchKeyError } from '@kmsgate/storage';
import { S3Error } from '../http/errors.js';
import { headerValue, type RequestHeaders } from '../http/headers.js';
import type { OperationResult } from '../operations/operation.js';
import { parseMetadata, type ObjectMetadata } from '../sse/index.js';

type Version = Pick<ObjectMetadata, 'etag' | 'lastModified'>;

function entityTags(value: string): string[] {
  return value
    .split(',')
    .map((t) => t.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'))
    .filter((t) => t !== '');
}

function matches(value: string, etag: string): boolean {
  return entityTags(value).some((t) => t === '*' || t === etag);
}

function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function lastModifiedSeconds(version: Version): number {
  return Math.floor(Date.parse(version.lastModified) / 1000) * 1000;
}

function preconditionFailed(condition: string): S3Error {
  return new S3Error('PreconditionFailed', undefined, { Condition: condition });
}

/**
 * Evaluates the read conditions against the version about to be served: throws 412, or
 * returns the 304 result to send instead of the object, or undefined to go on.
 */
export function readConditionResult(headers: RequestHeaders, version: Version, now = new Date()): OperationResult | undefined {
  const ifMatch = headerValue(headers, 'if-match');
  const ifNoneMatch = headerValue(headers, 'if-none-match');
  const modified = lastModifiedSeconds(version);
  if (ifMatch !== undefined) {
    if (!matches(ifMatch, version.etag)) throw preconditionFailed('If-Match');
  } else {
    const since = httpDate(headerValue(headers, 'if-unmodified-since'));
    if (since !== undefined && modified > since) throw preconditionFailed('If-Unmodified-Since');
  }
  let notModified: boolean;
  if (ifNoneMatch !== undefined) {
    notModified = matches(ifNoneMatch, version.etag);
  } else {
    const since = httpDate(headerValue(headers, 'if-modified-since'));
    notModified = since !== undefined && since <= now.getTime() && modified <= since;
  }
  if (!notModified) return undefined;
  return { status: 304, headers: { ETag: `"${version.etag}"`, 'Last-Modified': new Date(version.lastModified).toUTCString() } };
}

export interface WriteConditions {
  /** If-None-Match: * — only if no object has the key. */
  createOnly: boolean;
  /** If-Match — only if the current object has one of these ETags. */
  ifMatch?: string;
}

/** The write conditions of a PutObject, checked before anything else is done. */
export function parseWriteConditions(headers: RequestHeaders): WriteConditions | undefined {
  const ifNoneMatch = headerValue(headers, 'if-none-match');
  const ifMatch = headerValue(headers, 'if-match');
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw new S3Error('NotImplemented', undefined, { Header: 'If-None-Match' });
  }
  return { createOnly: ifNoneMatch !== undefined, ifMatch };
}

/** Throws the S3 answer when `current` (null: no object) does not satisfy the conditions. */
export function checkWriteConditions(conditions: WriteConditions, current: Pick<ObjectMetadata, 'etag'> | null, key: string): void {
  if (conditions.createOnly && current !== null) throw preconditionFailed('If-None-Match');
  if (conditions.ifMatch !== undefined) {
    if (current === null) throw new S3Error('NoSuchKey', undefined, { Key: key });
    if (!matches(conditions.ifMatch, current.etag)) throw preconditionFailed('If-Match');
  }
}

/** Fails early, before the upload is read and a data key generated. */
export async function precheckWriteConditions(store: ObjectStore, bucket: string, key: string, conditions: WriteConditions | undefined): Promise<void> {
  if (conditions === undefined) return;
  const current = await store.headObject(bucket, key).then(
    ({ metadata }) => parseMetadata(metadata),
    (err: unknown) => {
      if (err instanceof NoSuchKeyError) return null;
      throw err;
    },
  );
  checkWriteConditions(conditions, current, key);
}

/** The same check as the storage commit precondition, evaluated under the key's lock. */
export function commitConditions(conditions: WriteConditions | undefined, key: string): CommitOptions {
  if (conditions === undefined) return {};
  return { precondition: (current) => checkWriteConditions(conditions, current && parseMetadata(current), key) };
}
