/** Headers S3 insists are covered by the signature. */
import { S3Error } from '../http/errors.js';
import type { RequestHeaders } from '../http/headers.js';

const NOT_SIGNED = 'There were headers present in the request which were not signed';

/**
 * `host` must always be signed. With `requireAmzHeaders` (presigned URLs), every x-amz-* header
 * present must be signed too, so nobody can add SSE or checksum headers to someone else's URL.
 */
export function requireSignedHeaders(headers: RequestHeaders, signed: readonly string[], requireAmzHeaders: boolean): void {
  const signedSet = new Set(signed);
  const missing: string[] = [];
  if (!signedSet.has('host')) missing.push('host');
  if (requireAmzHeaders) {
    for (const name of Object.keys(headers).sort()) {
      if (headers[name] !== undefined && name.startsWith('x-amz-') && !signedSet.has(name)) missing.push(name);
    }
  }
  if (missing.length > 0) throw new S3Error('AccessDenied', NOT_SIGNED, { HeadersNotSigned: missing.join(', ') });
}
