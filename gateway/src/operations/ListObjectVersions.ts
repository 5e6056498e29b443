/**
 * ListObjectVersions (`GET /bucket?versions`) on these unversioned buckets: every object is
 * listed once, as its `null` version and the latest, with the paging rules of a listing
 * (key-marker, and version-id-marker which can only be `null`). Test suites and tools use
 * it to empty buckets.
 */
import { S3Error } from '../http/errors.js';
import { commonPrefixesOf, nameOf, ownerOf, pageFields, versionsOf } from '../s3/listing-xml.js';
import { param, parseListRequest, readPage } from '../s3/listing.js';
import type { Operation } from './operation.js';

const NULL_VERSION = 'null';

function checkVersionIdMarker(keyMarker: string, versionIdMarker: string | undefined): void {
  if (versionIdMarker === undefined) return;
  const fields = { ArgumentName: 'version-id-marker', ArgumentValue: versionIdMarker };
  if (keyMarker === '') throw new S3Error('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', fields);
  if (versionIdMarker === '') throw new S3Error('InvalidArgument', 'A version-id marker cannot be empty.', fields);
  if (versionIdMarker !== NULL_VERSION) throw new S3Error('InvalidArgument', 'Invalid version id specified', fields);
}

export const ListObjectVersions: Operation = async (ctx) => {
  const req = await parseListRequest(ctx);
  const { prefix, encode } = req;
  const keyMarker = param(ctx.query, 'key-marker') ?? '';
  const versionIdMarker = param(ctx.query, 'version-id-marker');
  checkVersionIdMarker(keyMarker, versionIdMarker);
  // A key's only version is `null`: after (key, null) is after the key, as after the key alone.
  const page = await readPage(ctx, { ...req, after: keyMarker || undefined });
  const last = page.items[page.items.length - 1];
  return {
    status: 200,
    xml: {
      root: 'ListVersionsResult',
      body: {
        Name: ctx.bucket,
        Prefix: nameOf(prefix, encode),
        KeyMarker: nameOf(keyMarker, encode),
        VersionIdMarker: versionIdMarker ?? '',
        NextKeyMarker: page.next === undefined ? undefined : nameOf(page.next, encode),
        NextVersionIdMarker: page.next !== undefined && last?.kind === 'object' ? NULL_VERSION : undefined,
        ...pageFields(req, page),
        Version: versionsOf(page.items, { encode, owner: ownerOf(ctx.principal) }),
        CommonPrefixes: commonPrefixesOf(page.items, encode),
      },
    },
  };
};
