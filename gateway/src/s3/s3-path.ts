/**
 * Splits a request target into bucket, key and query, from the raw request line and Host.
 * Path style (`/bucket/key`) always works; with a domain configured, a Host of
 * `<bucket>.<domain>` is virtual-hosted style and the whole path is the key. The raw path is
 * kept as sent because SigV4 signs it that way (no dot-segment removal, no `//` collapsing):
 * `/b/a//../c` names the key `a//../c`, and a virtual-hosted request signs `/a//../c`.
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

export interface Addressing {
  /** The request's Host header. */
  host?: string;
  /** The domain buckets are virtual hosts of (KMSGATE_DOMAIN); undefined = path style only. */
  domain?: string;
}

/** The bucket a Host names under `domain`, or undefined when it is not a virtual host of it. */
export function virtualHostBucket(host: string | undefined, domain: string | undefined): string | undefined {
  if (host === undefined || domain === undefined) return undefined;
  const name = host.toLowerCase().replace(/:\d+$/, '');
  const suffix = `.${domain.toLowerCase()}`;
  if (!name.endsWith(suffix) || name.length === suffix.length) return undefined;
  return name.slice(0, -suffix.length);
}

export function parseS3Target(url: string, addressing: Addressing = {}): S3Target {
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  if (!rawPath.startsWith('/')) throw new S3Error('InvalidRequest', 'The request target must be an absolute path.');
  const rest = rawPath.slice(1);
  const virtualBucket = virtualHostBucket(addressing.host, addressing.domain);
  const slash = rest.indexOf('/');
  const bucket = virtualBucket ?? decodeSegment(slash === -1 ? rest : rest.slice(0, slash));
  const key = virtualBucket !== undefined ? decodeSegment(rest) : slash === -1 ? '' : decodeSegment(rest.slice(slash + 1));
  // One check for every object operation, before any of them reads a body or calls the KMS.
  const keyBytes = Buffer.byteLength(key);
  if (keyBytes > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError', undefined, { Size: keyBytes, MaxSizeAllowed: MAX_KEY_BYTES });
  return { rawPath, rawQuery, query: new URLSearchParams(rawQuery), bucket, key };
}
