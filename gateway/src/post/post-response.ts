/**
 * What a successful POST Object answers, as the form asks:
 *
 * 1. `success_action_redirect` (or the older `redirect`) holding an absolute http(s) URL
 *    → 303 to that URL with `bucket`, `key` and `etag` (quoted) appended to its query,
 *    form-encoded (a key's '/' as %2F, a space as '+'); the URL's own query is kept as sent.
 *    A URL S3 cannot read (a relative one) counts as no redirect.
 * 2. Else `success_action_status`: 200 → 200 with an empty body; 201 → 201 with a
 *    `PostResponse` document (Location, Bucket, Key, ETag; no namespace); anything else,
 *    or none → 204 with an empty body.
 * Every answer carries ETag, Location (the object's URL, its key percent-encoded with '/'
 * as %2F) and the SSE and checksum headers a PutObject answer has.
 */
import { Readable } from 'node:stream';
import { toXml } from '../http/xml.js';
import type { OperationResult } from '../operations/operation.js';
import type { WrittenObject } from '../sse/index.js';

export interface PostAnswer {
  bucket: string;
  key: string;
  written: WrittenObject;
  /** The URL of the bucket as the form reached it, without a trailing '/'. */
  bucketUrl: string;
  /** ETag, SSE and checksum headers. */
  headers: Record<string, string>;
  redirect: string | undefined;
  status: string | undefined;
}

function redirectTarget(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? text : undefined;
  } catch {
    return undefined;
  }
}

export function postAnswer(answer: PostAnswer): OperationResult {
  const etag = `"${answer.written.etag}"`;
  const location = `${answer.bucketUrl}/${encodeURIComponent(answer.key)}`;
  const headers = { ...answer.headers, ETag: etag, Location: location };
  const redirect = redirectTarget(answer.redirect);
  if (redirect !== undefined) {
    const query = new URLSearchParams({ bucket: answer.bucket, key: answer.key, etag }).toString();
    return { status: 303, headers: { ...headers, Location: `${redirect}${redirect.includes('?') ? '&' : '?'}${query}` } };
  }
  if (answer.status === '200') return { status: 200, headers };
  if (answer.status === '201') {
    const text = toXml('PostResponse', { Location: location, Bucket: answer.bucket, Key: answer.key, ETag: etag }, { namespace: null });
    const body = Buffer.from(text, 'utf8');
    return {
      status: 201,
      headers: { ...headers, 'Content-Type': 'application/xml', 'Content-Length': String(body.length) },
      stream: Readable.from([body]),
    };
  }
  return { status: 204, headers };
}
