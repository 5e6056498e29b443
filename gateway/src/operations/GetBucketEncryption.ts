import { bucketEncryption } from '../s3/bucket-config.js';
import type { Operation } from './operation.js';

/** Always a configuration: a bucket never configured (or reset) reports SSE-S3, as S3 does. */
export const GetBucketEncryption: Operation = async ({ bucket, deps }) => {
  const encryption = await bucketEncryption(deps.store, bucket);
  return {
    status: 200,
    xml: {
      root: 'ServerSideEncryptionConfiguration',
      body: {
        Rule: {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: encryption.sseAlgorithm, KMSMasterKeyID: encryption.kmsMasterKeyId },
          BucketKeyEnabled: encryption.bucketKeyEnabled,
        },
      },
    },
  };
};
