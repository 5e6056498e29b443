import { OBJECT_OWNERSHIP } from '../s3/acl.js';
import type { Operation } from './operation.js';

export const GetBucketOwnershipControls: Operation = async ({ bucket, deps }) => {
  await deps.store.headBucket(bucket);
  return { status: 200, xml: { root: 'OwnershipControls', body: { Rule: { ObjectOwnership: OBJECT_OWNERSHIP } } } };
};
