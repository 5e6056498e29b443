/**
 * PutBucketVersioning: buckets here keep one version per key, so turning versioning on is
 * refused as not implemented (never silently accepted: a tool would then trust versions
 * that are not kept). A missing bucket still answers NoSuchBucket.
 */
import { S3Error } from '../http/errors.js';
import type { Operation } from './operation.js';

export const PutBucketVersioning: Operation = async ({ bucket, deps }) => {
  await deps.store.headBucket(bucket);
  throw new S3Error('NotImplemented', 'A header or query parameter you provided implies functionality that is not implemented');
};
