/**
 * Object metadata on the wire: user metadata from `x-amz-meta-*` request headers, and the
 * response headers of GetObject/HeadObject built from the stored record (never from the KMS).
 * Metadata values are stored as text and sent RFC 2047-encoded when not ASCII (header-text.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import { checksumTypeOf, type ObjectMetadataV1, type PlaintextRange } from '../sse/index.js';
import { headerValueToText, textToHeaderValue } from './header-text.js';
import { SSE_CONTEXT } from './sse-headers.js';
import { systemResponseHeaders } from './system-metadata.js';

export { STORAGE_CLASSES, parseStorageClass, type StorageClass } from './system-metadata.js';

const META_PREFIX = 'x-amz-meta-';
/**
 * S3 limits user-defined metadata to 2 KB: the sum of the UTF-8 bytes of each name (without
 * the `x-amz-meta-` prefix) and each value.
 */
const MAX_USER_METADATA = 2048;

/**
 * User metadata from the request headers, checked before any body byte is read. Values are
 * the text the client meant (header-text.ts: the bytes it sent read as UTF-8, RFC 2047 words
 * decoded), and the size counts that text's UTF-8 bytes. A header named just
 * `x-amz-meta-` names nothing; S3 drops such an entry rather than refusing the request.
 * Entries are built with fromEntries so a name like `__proto__` stays an ordinary name.
 */
export function userMetadataOf(headers: IncomingHttpHeaders): Record<string, string> {
  const entries: [string, string][] = [];
  let size = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(META_PREFIX) || value === undefined) continue;
    const short = name.slice(META_PREFIX.length);
    if (short === '') continue;
    const text = headerValueToText(Array.isArray(value) ? value.join(',') : value);
    size += Buffer.byteLength(short) + Buffer.byteLength(text);
    entries.push([short, text]);
  }
  if (size > MAX_USER_METADATA) {
    throw new S3Error('MetadataTooLarge', undefined, { Size: size, MaxSizeAllowed: MAX_USER_METADATA });
  }
  return Object.fromEntries(entries);
}

export function sseResponseHeaders(meta: Pick<ObjectMetadataV1, 'sse' | 'kmsKeyArn'>): Record<string, string> {
  const headers: Record<string, string> = { 'x-amz-server-side-encryption': meta.sse };
  if (meta.sse === 'aws:kms' && meta.kmsKeyArn) headers['x-amz-server-side-encryption-aws-kms-key-id'] = meta.kmsKeyArn;
  return headers;
}

/**
 * The SSE headers answering a write (PutObject, CopyObject): what the new object is encrypted
 * under, and the encryption context as the client sent it, if it did.
 */
export function newObjectSseHeaders(written: Pick<ObjectMetadataV1, 'sse' | 'kmsKeyArn'>, request: IncomingHttpHeaders): Record<string, string> {
  const headers = sseResponseHeaders(written);
  const sentContext = headerValue(request, SSE_CONTEXT);
  if (written.sse === 'aws:kms' && sentContext !== undefined) headers[SSE_CONTEXT] = sentContext;
  return headers;
}

/** The headers of a GetObject or HeadObject answer for `range` (undefined: the whole object). */
export function readResponseHeaders(meta: ObjectMetadataV1, request: IncomingHttpHeaders, range: PlaintextRange | undefined): Record<string, string> {
  const checksumMode = headerValue(request, 'x-amz-checksum-mode') === 'ENABLED';
  // A fresh object of our own, so filled in place rather than copied.
  const headers = objectResponseHeaders(meta, { checksumMode, full: range === undefined });
  if (!range) {
    headers['Content-Length'] = String(meta.plaintextSize);
    return headers;
  }
  headers['Content-Length'] = String(range.end - range.start + 1);
  headers['Content-Range'] = `bytes ${range.start}-${range.end}/${meta.plaintextSize}`;
  return headers;
}

/** Headers shared by GetObject and HeadObject. `full` = the whole object is being described. */
export function objectResponseHeaders(meta: ObjectMetadataV1, opts: { checksumMode: boolean; full: boolean }): Record<string, string> {
  const headers: Record<string, string> = {
    ...systemResponseHeaders(meta),
    ETag: `"${meta.etag}"`,
    'Last-Modified': new Date(meta.lastModified).toUTCString(),
    'Accept-Ranges': 'bytes',
    ...sseResponseHeaders(meta),
  };
  for (const [name, value] of Object.entries(meta.userMetadata)) headers[`${META_PREFIX}${name}`] = textToHeaderValue(value);
  // Checksums are the client's, of the plaintext, and only describe the whole object.
  if (opts.checksumMode && opts.full) {
    const entries = Object.entries(meta.checksums);
    for (const [algorithm, value] of entries) {
      headers[`x-amz-checksum-${algorithm.toLowerCase()}`] = value;
      headers['x-amz-checksum-type'] = checksumTypeOf(value);
    }
  }
  return headers;
}
