import { ownerOnlyAcl } from '../s3/acl.js';
import type { Operation } from './operation.js';

/** Under BucketOwnerEnforced the bucket owner owns every object, whoever wrote it. */
export const GetObjectAcl: Operation = async ({ bucket, key, deps }) => {
  await deps.store.headObject(bucket, key);
  return { status: 200, xml: { root: 'AccessControlPolicy', body: ownerOnlyAcl(deps.accountId) } };
};
