import type { Operation } from './operation.js';

export const HeadBucket: Operation = async ({ bucket, deps }) => {
  await deps.store.headBucket(bucket);
  return { status: 200, headers: { 'x-amz-bucket-region': deps.region, 'x-amz-access-point-alias': 'false' } };
};
