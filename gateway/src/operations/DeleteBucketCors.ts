import { updateBucketConfig } from '../s3/bucket-config.js';
import type { Operation } from './operation.js';

/** Removes the bucket's CORS rules; idempotent (204 when there were none), as in S3. */
export const DeleteBucketCors: Operation = async ({ bucket, deps }) => {
  await updateBucketConfig(deps.store, bucket, ({ cors: _dropped, ...rest }) => rest);
  return { status: 204 };
};
