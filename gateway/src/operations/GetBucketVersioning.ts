/**
 * GetBucketVersioning: versioning was never enabled on any bucket here, which S3 answers
 * with an empty configuration (no Status element).
 */
import type { Operation } from './operation.js';

export const GetBucketVersioning: Operation = async ({ bucket, deps }) => {
  await deps.store.headBucket(bucket);
  return { status: 200, xml: { root: 'VersioningConfiguration', body: {} } };
};
