import { parsePolicy } from '@kmsgate/kms-core';
import { S3Error } from '../http/errors.js';
import { readBucketConfig } from '../s3/bucket-config.js';
import { policyIsPublic } from '../s3/bucket-policy.js';
import type { Operation } from './operation.js';

/** GetBucketPolicyStatus: whether the bucket policy makes the bucket public; NoSuchBucketPolicy without one. */
export const GetBucketPolicyStatus: Operation = async ({ bucket, deps }) => {
  const { policy } = await readBucketConfig(deps.store, bucket);
  if (policy === undefined) throw new S3Error('NoSuchBucketPolicy', undefined, { BucketName: bucket });
  return { status: 200, xml: { root: 'PolicyStatus', body: { IsPublic: policyIsPublic(parsePolicy(policy, 'resource')) } } };
};
