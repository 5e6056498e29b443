/** AbortMultipartUpload (`DELETE /{bucket}/{key}?uploadId=`): the upload and every part file go; the data key with them. */
import { uploadIdOf } from '../s3/multipart.js';
import type { Operation } from './operation.js';

export const AbortMultipartUpload: Operation = async ({ bucket, key, deps, query }) => {
  await deps.store.abortUpload(bucket, key, uploadIdOf(query));
  return { status: 204 };
};
