/**
 * ListObjects, version 1 (`GET /bucket`): like ListObjectsV2 with `marker` for paging,
 * Owner on every object, and NextMarker only when a delimiter was given (clients page on
 * the last key otherwise).
 */
import { commonPrefixesOf, contentsOf, nameOf, ownerOf, pageFields } from '../s3/listing-xml.js';
import { param, parseListRequest, readPage } from '../s3/listing.js';
import type { Operation } from './operation.js';

export const ListObjects: Operation = async (ctx) => {
  const req = await parseListRequest(ctx);
  const { prefix, delimiter, encode } = req;
  const marker = param(ctx.query, 'marker') ?? '';
  const page = await readPage(ctx, { ...req, after: marker || undefined });
  return {
    status: 200,
    xml: {
      root: 'ListBucketResult',
      body: {
        Name: ctx.bucket,
        Prefix: nameOf(prefix, encode),
        Marker: nameOf(marker, encode),
        NextMarker: delimiter && page.next !== undefined ? nameOf(page.next, encode) : undefined,
        ...pageFields(req, page),
        Contents: contentsOf(page.items, { encode, owner: ownerOf(ctx.principal) }),
        CommonPrefixes: commonPrefixesOf(page.items, encode),
      },
    },
  };
};
