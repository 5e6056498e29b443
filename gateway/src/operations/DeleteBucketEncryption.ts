import { updateBucketConfig } from '../s3/bucket-config.js';
import type { Operation } from './operation.js';

/** Resets the bucket to SSE-S3 (S3 no longer has unencrypted buckets); idempotent. */
export const DeleteBucketEncryption: Operation = async ({ bucket, deps }) => {
  await updateBucketConfig(deps.store, bucket, ({ encryption: _dropped, ...rest }) => rest);
  return { status: 204 };
};
