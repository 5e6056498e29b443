import { Readable } from 'node:stream';
import { S3Error } from '../http/errors.js';
import { readBucketConfig } from '../s3/bucket-config.js';
import type { Operation } from './operation.js';

/** GetBucketPolicy: the policy text exactly as it was put, as JSON; NoSuchBucketPolicy without one. */
export const GetBucketPolicy: Operation = async ({ bucket, deps }) => {
  const { policy } = await readBucketConfig(deps.store, bucket);
  if (policy === undefined) throw new S3Error('NoSuchBucketPolicy', undefined, { BucketName: bucket });
  const body = Buffer.from(policy, 'utf8');
  return { status: 200, headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) }, stream: Readable.from([body]) };
};
