import { acceptOwnerOnlyAclWrite } from '../s3/acl-write.js';
import type { Operation } from './operation.js';

export const PutObjectAcl: Operation = async (ctx) => {
  await ctx.deps.store.headObject(ctx.bucket, ctx.key);
  await acceptOwnerOnlyAclWrite(ctx);
  return { status: 200 };
};
