import { ownerOnlyAcl } from '../s3/acl.js';
import type { Operation } from './operation.js';

export const GetBucketAcl: Operation = async ({ bucket, deps }) => {
  await deps.store.headBucket(bucket);
  return { status: 200, xml: { root: 'AccessControlPolicy', body: ownerOnlyAcl(deps.accountId) } };
};
