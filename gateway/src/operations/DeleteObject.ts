import { S3Error } from '../errors.js';
import type { Operation } from '../operation.js';

/** DeleteObject answers 204 whether or not the key existed, as S3 does. */
export const DeleteObject: Operation = async ({ bucket, key, deps }) => {
  if (Buffer.byteLength(key) > 1024) throw new S3Error('KeyTooLongError');
  await deps.store.deleteObject(bucket, key);
  return { status: 204 };
};
