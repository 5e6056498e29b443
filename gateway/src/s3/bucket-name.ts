/**
 * General purpose bucket naming rules of Amazon S3: 3–63 characters of lower-case letters,
 * digits, dots and hyphens; starts and ends with a letter or digit; no `..`; not an IPv4
 * address; none of the prefixes and suffixes S3 reserves.
 */
import { needs } from '../http/errors.js';

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export function isValidBucketName(name: string): boolean {
  if (name.length < 3 || name.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return false;
  if (name.includes('..')) return false;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return false;
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return false;
  return !RESERVED_SUFFIXES.some((s) => name.endsWith(s));
}

/**
 * No bucket exists under a name CreateBucket refuses, so any other request naming one is
 * NoSuchBucket, answered before storage is asked (a 300-character name cannot even be a
 * directory there).
 */
export function assertBucketMayExist(name: string): void {
  needs(isValidBucketName(name), 'NoSuchBucket', undefined, { BucketName: name });
}
