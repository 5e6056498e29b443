/**
 * Signature Version 2 (HMAC-SHA1): the string to sign, as S3 builds it on the server side.
 *
 *   StringToSign = Method \n Content-MD5 \n Content-Type \n DateLine \n
 *                  CanonicalizedAmzHeaders CanonicalizedResource
 *   Signature    = base64(HMAC-SHA1(secret, StringToSign))
 *
 * 1. Content-MD5 and Content-Type are the header values, trimmed ('' when absent).
 * 2. DateLine: for header auth the Date header, or '' when x-amz-date is sent (which is then
 *    signed among the x-amz-* headers); for a presigned URL the Expires parameter as sent.
 * 3. CanonicalizedAmzHeaders: every x-amz-* header of the request, name lower-cased, sorted,
 *    repeated headers joined with ',', values trimmed: `name:value\n` each. There is no list
 *    of signed headers in V2: every x-amz-* header sent is signed by construction.
 * 4. CanonicalizedResource: '/' + bucket for a virtual-hosted request, then the path exactly
 *    as sent (still percent-encoded), then the sub-resources among the query parameters,
 *    sorted by name, `name` (no value) or `name=value` with the value decoded, joined by '&'
 *    after '?'.
 *    Other parameters (prefix, marker, the presign's own) are not signed.
 * 5. The string is bytes: header values go in as the bytes the client sent (Node decodes
 *    them as latin1, one character per byte), decoded query values as UTF-8, as clients
 *    sign them.
 */
import { createHmac } from 'node:crypto';
import type { RequestHeaders } from '../http/headers.js';
import { headerValue } from '../http/headers.js';
import type { QueryParam } from './canonical.js';

/**
 * Query parameters that are part of the signed resource: S3's documented sub-resources and
 * response overrides, with the later sub-resources every SigV2 client in use signs.
 */
export const SIGNED_SUBRESOURCES: ReadonlySet<string> = new Set([
  'accelerate', 'acl', 'analytics', 'cors', 'defaultObjectAcl', 'delete', 'inventory', 'lifecycle',
  'location', 'logging', 'metrics', 'notification', 'object-lock', 'partNumber', 'policy', 'replication',
  'requestPayment', 'restore', 'select', 'select-type', 'storageClass', 'tagging', 'torrent', 'uploadId',
  'uploads', 'versionId', 'versioning', 'versions', 'website',
  'response-cache-control', 'response-content-disposition', 'response-content-encoding',
  'response-content-language', 'response-content-type', 'response-expires',
]);

/** Text whose characters are the UTF-8 bytes of `text`, so the whole string can go out as latin1. */
function utf8AsLatin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

export function canonicalAmzHeaders(headers: RequestHeaders): string {
  let out = '';
  for (const name of Object.keys(headers).filter((n) => n.startsWith('x-amz-')).sort()) {
    const raw = headers[name];
    if (raw === undefined) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    out += `${name}:${values.map((v) => v.trim()).join(',')}\n`;
  }
  return out;
}

export function canonicalResource(rawPath: string, params: readonly QueryParam[], virtualHostBucket?: string): string {
  const path = (virtualHostBucket === undefined ? '' : `/${virtualHostBucket}`) + (rawPath === '' ? '/' : rawPath);
  const signed = params
    .filter((p) => SIGNED_SUBRESOURCES.has(p.name))
    // Stable on equal names, as the clients sort.
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => (p.value === '' ? p.name : `${p.name}=${utf8AsLatin1(p.value)}`));
  return signed.length === 0 ? path : `${path}?${signed.join('&')}`;
}

export interface StringToSignV2Parts {
  method: string;
  headers: RequestHeaders;
  dateLine: string;
  resource: string;
}

/** The string to sign as bytes (see the top comment, 5). */
export function stringToSignV2(p: StringToSignV2Parts): Buffer {
  const md5 = headerValue(p.headers, 'content-md5')?.trim() ?? '';
  const type = headerValue(p.headers, 'content-type')?.trim() ?? '';
  const text = `${p.method}\n${md5}\n${type}\n${p.dateLine}\n${canonicalAmzHeaders(p.headers)}${p.resource}`;
  return Buffer.from(text, 'latin1');
}

/** base64(HMAC-SHA1(secret, data)): a V2 request signature, and a V2 POST policy's. */
export function signV2(secretAccessKey: string, data: Uint8Array | string): string {
  return createHmac('sha1', secretAccessKey).update(data).digest('base64');
}
