/**
 * ListObjectsV2 (`GET /bucket?list-type=2`): a page of keys and common prefixes from the
 * stored listing entries only (never the KMS, never object data). Owner only with
 * fetch-owner=true; KeyCount counts common prefixes too.
 */
import { commonPrefixesOf, contentsOf, nameOf, ownerOf, pageFields } from '../s3/listing-xml.js';
import { decodeContinuationToken, encodeContinuationToken, param, parseListRequest, readPage } from '../s3/listing.js';
import { ListObjects } from './ListObjects.js';
import type { Operation } from './operation.js';

export const ListObjectsV2: Operation = async (ctx) => {
  const { bucket, query } = ctx;
  if (query.get('list-type') !== '2') return ListObjects(ctx); // list-type=1 is version 1
  const req = await parseListRequest(ctx);
  const { prefix, encode } = req;
  const token = param(query, 'continuation-token');
  const startAfter = param(query, 'start-after');
  const after = token !== undefined ? decodeContinuationToken(token) : startAfter;
  const page = await readPage(ctx, { ...req, after });
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
        ...pageFields(req, page),
        Contents: contentsOf(page.items, { encode, owner: query.get('fetch-owner') === 'true' ? ownerOf(ctx.principal) : undefined }),
        CommonPrefixes: commonPrefixesOf(page.items, encode),
      },
    },
  };
};
