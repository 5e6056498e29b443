import type { Operation } from './operation.js';

/** us-east-1 answers an empty constraint, as S3 does for its oldest region. */
export const GetBucketLocation: Operation = async ({ bucket, deps }) => {
  await deps.store.headBucket(bucket);
  return { status: 200, xml: { root: 'LocationConstraint', body: { '#text': deps.region === 'us-east-1' ? '' : deps.region } } };
};
