import type { Operation } from './operation.js';

export const DeleteBucket: Operation = async ({ bucket, deps }) => {
  await deps.store.deleteBucket(bucket);
  return { status: 204 };
};
