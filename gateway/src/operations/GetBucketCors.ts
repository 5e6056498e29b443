import { S3Error } from '../http/errors.js';
import { readBucketConfig } from '../s3/bucket-config.js';
import { corsDocument } from '../s3/cors.js';
import type { Operation } from './operation.js';

/** The rules as stored; a bucket without any answers NoSuchCORSConfiguration, as S3 does. */
export const GetBucketCors: Operation = async ({ bucket, deps }) => {
  const { cors } = await readBucketConfig(deps.store, bucket);
  if (!cors) throw new S3Error('NoSuchCORSConfiguration', undefined, { BucketName: bucket });
  return { status: 200, xml: { root: 'CORSConfiguration', body: corsDocument(cors) } };
};
