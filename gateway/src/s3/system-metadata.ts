/**
 * System metadata: the standard HTTP headers S3 stores with an object and answers on GET and
 * HEAD, and the storage class.
 *
 * In (PutObject):
 * 1. Content-Type as sent; none -> `binary/octet-stream`, as S3 serves it.
 * 2. Content-Encoding without its `aws-chunked` token (that names the upload's framing, not
 *    the object): `gzip,aws-chunked` stores `gzip`; `aws-chunked` alone stores nothing.
 * 3. Cache-Control, Content-Disposition, Content-Language, Expires and
 *    x-amz-website-redirect-location stored as sent (latin1 text: the bytes on the wire), so
 *    they go back out byte for byte. Expires is not parsed: S3 returns what it was given.
 * 4. x-amz-website-redirect-location must start with `/`, `http://` or `https://` and fit
 *    in 2 KB, else 400 InvalidRedirectLocation.
 * 5. x-amz-storage-class validated by parseStorageClass (object-headers.ts), default STANDARD.
 *
 * Out (GetObject/HeadObject): the stored headers under their usual names; x-amz-storage-class
 * only when not STANDARD, as S3 leaves it out for STANDARD objects.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import { SYSTEM_HEADER_NAMES, type ObjectMetadata, type SystemHeaderName } from '../sse/index.js';

/**
 * The storage classes a general purpose bucket takes (directory-bucket, Outposts, Snow and
 * FSx classes are refused there, as S3 refuses them). The class is stored, not acted on:
 * every object lives on the same disk whatever it says.
 */
export const STORAGE_CLASSES = [
  'STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR',
] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

export function parseStorageClass(headers: IncomingHttpHeaders): StorageClass {
  const value = headerValue(headers, 'x-amz-storage-class');
  if (value === undefined) return 'STANDARD';
  if (!(STORAGE_CLASSES as readonly string[]).includes(value)) {
    // StorageClassRequested: the field S3-compatible servers report beside this code (best match).
    throw new S3Error('InvalidStorageClass', undefined, { StorageClassRequested: value });
  }
  return value as StorageClass;
}

export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
const MAX_REDIRECT_LOCATION = 2048;

/** How each stored header is spelled on the way out. */
const WIRE_NAMES: Record<SystemHeaderName, string> = {
  'cache-control': 'Cache-Control',
  'content-disposition': 'Content-Disposition',
  'content-encoding': 'Content-Encoding',
  'content-language': 'Content-Language',
  expires: 'Expires',
  'x-amz-website-redirect-location': 'x-amz-website-redirect-location',
};

export interface SystemMetadata {
  contentType: string;
  storageClass: string;
  systemHeaders: Partial<Record<SystemHeaderName, string>>;
}

/** Content-Encoding as stored: the tokens the client sent, minus `aws-chunked`. */
export function storedContentEncoding(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const kept = value.split(',').map((t) => t.trim()).filter((t) => t !== '' && t.toLowerCase() !== 'aws-chunked');
  return kept.length > 0 ? kept.join(',') : undefined;
}

function checkRedirectLocation(value: string): void {
  if (!/^(\/|https?:\/\/)/.test(value)) {
    throw new S3Error('InvalidRedirectLocation');
  }
  if (Buffer.byteLength(value, 'latin1') > MAX_REDIRECT_LOCATION) {
    throw new S3Error('InvalidRedirectLocation', 'The length of website redirect location cannot exceed 2,048 characters.');
  }
}

/** The system metadata of a PUT, checked before any body byte is read. */
export function systemMetadataOf(headers: IncomingHttpHeaders): SystemMetadata {
  const systemHeaders: Partial<Record<SystemHeaderName, string>> = {};
  for (const name of SYSTEM_HEADER_NAMES) {
    const value = name === 'content-encoding' ? storedContentEncoding(headerValue(headers, name)) : headerValue(headers, name);
    if (value !== undefined) systemHeaders[name] = value;
  }
  const redirect = systemHeaders['x-amz-website-redirect-location'];
  if (redirect !== undefined) checkRedirectLocation(redirect);
  return {
    contentType: headerValue(headers, 'content-type') ?? DEFAULT_CONTENT_TYPE,
    storageClass: parseStorageClass(headers),
    systemHeaders,
  };
}

/** Content-Type, the stored system headers and a non-STANDARD storage class, for GET/HEAD. */
export function systemResponseHeaders(meta: Pick<ObjectMetadata, 'contentType' | 'storageClass' | 'systemHeaders'>): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': meta.contentType };
  for (const [name, value] of Object.entries(meta.systemHeaders) as [SystemHeaderName, string][]) headers[WIRE_NAMES[name]] = value;
  if (meta.storageClass !== 'STANDARD') headers['x-amz-storage-class'] = meta.storageClass;
  return headers;
}
