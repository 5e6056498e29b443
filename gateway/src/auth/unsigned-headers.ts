/**
 * Headers S3 insists are covered by the signature.
 *
 * 1. `host` must always be signed.
 * 2. Every `x-amz-*` header present must be signed, for the Authorization header and for
 *    presigned URLs alike: otherwise whoever holds a captured request or a URL could add SSE
 *    key ids, encryption contexts, metadata, checksums or a copy source, and for the KMS
 *    endpoint even change the operation (`x-amz-target`).
 * 3. The one exemption is `x-amz-content-sha256`, which S3 accepts unsigned: its value is the
 *    HashedPayload line of the canonical request, so changing it breaks the signature anyway.
 *
 * Every client in use signs all of its x-amz-* headers (botocore/AWS CLI, the JS SDK v3,
 * s3cmd, rclone, curl --aws-sigv4); they leave only expect, user-agent, transfer-encoding and
 * x-amzn-trace-id unsigned, none of which carries the x-amz- prefix.
 */
import { S3Error } from '../http/errors.js';
import type { RequestHeaders } from '../http/headers.js';

const NOT_SIGNED = 'There were headers present in the request which were not signed';
const EXEMPT = new Set(['x-amz-content-sha256']);

export function requireSignedHeaders(headers: RequestHeaders, signed: readonly string[]): void {
  const signedSet = new Set(signed);
  const missing: string[] = [];
  if (!signedSet.has('host')) missing.push('host');
  for (const name of Object.keys(headers).sort()) {
    if (headers[name] === undefined || !name.startsWith('x-amz-') || EXEMPT.has(name)) continue;
    if (!signedSet.has(name)) missing.push(name);
  }
  if (missing.length > 0) throw new S3Error('AccessDenied', NOT_SIGNED, { HeadersNotSigned: missing.join(', ') });
}
