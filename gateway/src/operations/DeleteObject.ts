import type { Operation } from './operation.js';

/** DeleteObject answers 204 whether or not the key existed, as S3 does. */
export const DeleteObject: Operation = async ({ bucket, key, deps }) => {
  await deps.store.deleteObject(bucket, key);
  return { status: 204 };
};
