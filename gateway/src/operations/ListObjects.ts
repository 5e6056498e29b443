/**
 * ListObjects, version 1 (`GET /bucket`): like ListObjectsV2 with `marker` for paging,
 * Owner on every object, and NextMarker only when a delimiter was given (clients page on
 * the last key otherwise).
 */
import { commonPrefixesOf, contentsOf, nameOf, ownerOf } from '../s3/listing-xml.js';
import { param, parseEncodingType, parseMaxKeys, readPage } from '../s3/listing.js';
import type { Operation } from './operation.js';

export const ListObjects: Operation = async (ctx) => {
  const { bucket, query, deps } = ctx;
  await deps.store.headBucket(bucket);
  const maxKeys = parseMaxKeys(query);
  const encode = parseEncodingType(query);
  const marker = param(query, 'marker') ?? '';
  const prefix = param(query, 'prefix') ?? '';
  const delimiter = param(query, 'delimiter');
  const page = await readPage(ctx, { prefix, delimiter, after: marker || undefined, maxKeys });
  return {
    status: 200,
    xml: {
      root: 'ListBucketResult',
      body: {
        Name: bucket,
        Prefix: nameOf(prefix, encode),
        Marker: nameOf(marker, encode),
        NextMarker: delimiter && page.next !== undefined ? nameOf(page.next, encode) : undefined,
        MaxKeys: maxKeys,
        Delimiter: delimiter === undefined ? undefined : nameOf(delimiter, encode),
        EncodingType: encode ? 'url' : undefined,
        IsTruncated: page.isTruncated,
        Contents: contentsOf(page.items, { encode, owner: ownerOf(ctx.principal) }),
        CommonPrefixes: commonPrefixesOf(page.items, encode),
      },
    },
  };
};
