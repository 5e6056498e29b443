/**
 * ListObjectsV2 (`GET /bucket?list-type=2`): a page of keys and common prefixes from the
 * stored listing entries only (never the KMS, never object data). Owner only with
 * fetch-owner=true; KeyCount counts common prefixes too.
 */
import { commonPrefixesOf, contentsOf, nameOf, ownerOf } from '../s3/listing-xml.js';
import { decodeContinuationToken, encodeContinuationToken, param, parseEncodingType, parseMaxKeys, readPage } from '../s3/listing.js';
import { ListObjects } from './ListObjects.js';
import type { Operation } from './operation.js';

export const ListObjectsV2: Operation = async (ctx) => {
  const { bucket, query, deps } = ctx;
  if (query.get('list-type') !== '2') return ListObjects(ctx); // list-type=1 is version 1
  await deps.store.headBucket(bucket); // a missing bucket answers NoSuchBucket before any argument error
  const maxKeys = parseMaxKeys(query);
  const encode = parseEncodingType(query);
  const token = param(query, 'continuation-token');
  const startAfter = param(query, 'start-after');
  const prefix = param(query, 'prefix') ?? '';
  const delimiter = param(query, 'delimiter');
  const after = token !== undefined ? decodeContinuationToken(token) : startAfter;
  const page = await readPage(ctx, { prefix, delimiter, after, maxKeys });
  return {
    status: 200,
    xml: {
      root: 'ListBucketResult',
      body: {
        Name: bucket,
        Prefix: nameOf(prefix, encode),
        StartAfter: startAfter === undefined ? undefined : nameOf(startAfter, encode),
        ContinuationToken: token,
        NextContinuationToken: page.next === undefined ? undefined : encodeContinuationToken(page.next),
        KeyCount: page.items.length,
        MaxKeys: maxKeys,
        Delimiter: delimiter === undefined ? undefined : nameOf(delimiter, encode),
        EncodingType: encode ? 'url' : undefined,
        IsTruncated: page.isTruncated,
        Contents: contentsOf(page.items, { encode, owner: query.get('fetch-owner') === 'true' ? ownerOf(ctx.principal) : undefined }),
        CommonPrefixes: commonPrefixesOf(page.items, encode),
      },
    },
  };
};
