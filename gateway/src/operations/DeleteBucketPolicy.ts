import { updateBucketConfig } from '../s3/bucket-config.js';
import type { Operation } from './operation.js';

/** DeleteBucketPolicy: 204, whether or not there was one (as S3 answers). */
export const DeleteBucketPolicy: Operation = async ({ bucket, deps }) => {
  await updateBucketConfig(deps.store, bucket, ({ policy: _dropped, ...rest }) => rest);
  return { status: 204 };
};
