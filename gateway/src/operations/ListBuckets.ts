import type { Operation } from './operation.js';

export const ListBuckets: Operation = async ({ deps, principal }) => {
  const buckets = await deps.store.listBuckets();
  return {
    status: 200,
    xml: {
      root: 'ListAllMyBucketsResult',
      body: {
        Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: b.creationDate, BucketRegion: deps.region })) },
        Owner: { DisplayName: principal.name, ID: principal.accountId },
      },
    },
  };
};
