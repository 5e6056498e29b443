/**
 * The bucket default in a write's SSE choice: request headers first, then the bucket's
 * default encryption, which is SSE-S3 unless PutBucketEncryption set otherwise. Only a
 * request with no `x-amz-server-side-encryption` header takes the default, as in S3; the
 * headers are still validated first, so a malformed request fails the same either way.
 * CopyObject's destination follows the same rule (the destination bucket's default).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ObjectStore } from '@kmsgate/storage';
import { headerValue } from '../http/headers.js';
import { AWS_MANAGED_S3_KEY, SSE, parseSseRequest, type SseRequest } from './sse-headers.js';
import { bucketEncryption } from './bucket-config.js';

export async function sseForNewObject(store: ObjectStore, bucket: string, headers: IncomingHttpHeaders): Promise<SseRequest> {
  const requested = parseSseRequest(headers);
  // Also the NoSuchBucket check for a missing bucket, before any KMS call.
  const byDefault = await bucketEncryption(store, bucket);
  if (headerValue(headers, SSE) !== undefined) return requested;
  if (byDefault.sseAlgorithm === 'AES256') return { sse: 'AES256' };
  return { sse: 'aws:kms', keyId: byDefault.kmsMasterKeyId ?? AWS_MANAGED_S3_KEY };
}
