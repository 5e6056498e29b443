import { acceptOwnerOnlyAclWrite } from '../s3/acl-write.js';
import type { Operation } from './operation.js';

export const PutBucketAcl: Operation = async (ctx) => {
  await ctx.deps.store.headBucket(ctx.bucket);
  await acceptOwnerOnlyAclWrite(ctx);
  return { status: 200 };
};
