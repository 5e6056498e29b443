/**
 * Where a request's flexible checksum is read from. Besides headers (and the aws-chunked
 * trailer they announce), a presigned URL carries the checksum headers the signer hoisted
 * into its query: the JS SDK's presigner puts `x-amz-checksum-crc32` (of the body known when
 * the URL was made: without one, the empty body) and `x-amz-sdk-checksum-algorithm` there
 * by default. Amazon S3 verifies such a value against the body uploaded later and refuses a
 * mismatch with BadDigest, so the gateway does too. The query is covered by the URL's
 * signature, so these values are as authentic as signed headers.
 */
import type { RequestHeaders } from '../http/headers.js';
import { algorithmFromHeaderName } from './algorithms.js';

function isChecksumParameter(lowerName: string): boolean {
  return algorithmFromHeaderName(lowerName) !== undefined || lowerName === 'x-amz-sdk-checksum-algorithm';
}

/**
 * The headers to read the checksum from: the request's own, plus, for a presigned request,
 * the checksum query parameters (names compared case-insensitively). A query value never
 * replaces a header of the same name; one of another algorithm makes two checksums, which
 * parseRequestChecksum refuses as S3 does.
 */
export function checksumSources(headers: RequestHeaders, query: URLSearchParams, presigned: boolean): RequestHeaders {
  if (!presigned) return headers;
  const merged: RequestHeaders = { ...headers };
  for (const [name, value] of query) {
    const lower = name.toLowerCase();
    if (isChecksumParameter(lower) && merged[lower] === undefined) merged[lower] = value;
  }
  return merged;
}
