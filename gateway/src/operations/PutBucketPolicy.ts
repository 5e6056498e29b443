import { S3Error } from '../http/errors.js';
import { MAX_CONFIGURATION_BYTES, readSmallBody } from '../http/body.js';
import { updateBucketConfig } from '../s3/bucket-config.js';
import { parseBucketPolicy, policyIsPublic } from '../s3/bucket-policy.js';
import type { Operation } from './operation.js';

/**
 * PutBucketPolicy (`PUT /{bucket}?policy`, a JSON body): validated as S3 validates it
 * (s3/bucket-policy.ts), stored as given, 204. Every bucket here blocks public policies
 * (GetPublicAccessBlock says so), so a policy that would make the bucket public is refused
 * with AccessDenied, as S3 refuses it under BlockPublicPolicy.
 */
export const PutBucketPolicy: Operation = async (ctx) => {
  const { bucket, deps } = ctx;
  await deps.store.headBucket(bucket);
  // Read past the 20 KB limit, so that a larger policy gets S3's size message, not EntityTooLarge.
  const body = await readSmallBody(ctx, MAX_CONFIGURATION_BYTES);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body);
  const policy = parseBucketPolicy(text, bucket);
  if (policyIsPublic(policy)) throw new S3Error('AccessDenied');
  await updateBucketConfig(deps.store, bucket, (config) => ({ ...config, policy: text }));
  return { status: 204 };
};
