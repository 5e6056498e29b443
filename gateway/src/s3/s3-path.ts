/**
 * Splits a path-style request target into bucket, key and query, from the raw request line.
 * The raw path is kept as sent because SigV4 signs it that way (no dot-segment removal,
 * no `//` collapsing): `/b/a//../c` names the key `a//../c`.
 */
import { S3Error } from '../http/errors.js';

/** S3's limit on an object key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

export interface S3Target {
  rawPath: string;
  rawQuery: string;
  query: URLSearchParams;
  bucket: string;
  key: string;
}

function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error('InvalidArgument', 'The request path is not valid percent-encoded UTF-8.');
  }
}

export function parseS3Target(url: string): S3Target {
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  if (!rawPath.startsWith('/')) throw new S3Error('InvalidRequest', 'The request target must be an absolute path.');
  const rest = rawPath.slice(1);
  const slash = rest.indexOf('/');
  const bucket = decodeSegment(slash === -1 ? rest : rest.slice(0, slash));
  const key = slash === -1 ? '' : decodeSegment(rest.slice(slash + 1));
  // One check for every object operation, before any of them reads a body or calls the KMS.
  const keyBytes = Buffer.byteLength(key);
  if (keyBytes > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError', undefined, { Size: keyBytes, MaxSizeAllowed: MAX_KEY_BYTES });
  return { rawPath, rawQuery, query: new URLSearchParams(rawQuery), bucket, key };
}
