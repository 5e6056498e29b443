/**
 * ListMultipartUploads (`GET /{bucket}?uploads`): uploads in progress by key, then initiation,
 * with `prefix`, `delimiter` (keys rolled up into CommonPrefixes, each counted once),
 * `key-marker` and `upload-id-marker`, `max-uploads` (default and cap 1000) and
 * `encoding-type=url`, as S3 reads them.
 */
import type { UploadInfo } from '@kmsgate/storage';
import { S3Error } from '../http/errors.js';
import type { XmlObject } from '../http/xml.js';
import { nameOf } from '../s3/listing-xml.js';
import { parseEncodingType } from '../s3/listing.js';
import { uploadParties } from '../s3/multipart.js';
import { parseUploadRecord } from '../sse/upload-record.js';
import type { Operation } from './operation.js';

const MAX_UPLOADS = 1000;

function maxUploadsOf(query: URLSearchParams): number {
  const raw = query.get('max-uploads');
  if (raw === null) return MAX_UPLOADS;
  if (!/^\d{1,10}$/.test(raw)) throw new S3Error('InvalidArgument', 'Provided max-uploads not an integer or within integer range', { ArgumentName: 'max-uploads', ArgumentValue: raw });
  return Math.min(Number(raw), MAX_UPLOADS);
}

type Item = { kind: 'upload'; upload: UploadInfo } | { kind: 'prefix'; prefix: string };

export const ListMultipartUploads: Operation = async ({ bucket, deps, query, principal }) => {
  const encode = parseEncodingType(query);
  const maxUploads = maxUploadsOf(query);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') || undefined;
  const keyMarker = query.get('key-marker') || undefined;
  const uploadIdMarker = keyMarker === undefined ? undefined : query.get('upload-id-marker') || undefined;
  const uploads = await deps.store.listUploads(bucket, { prefix, keyMarker, uploadIdMarker });
  const items: Item[] = [];
  let truncated = false;
  for (const upload of uploads) {
    const rest = upload.key.slice(prefix.length);
    const cut = delimiter === undefined ? -1 : rest.indexOf(delimiter);
    const item: Item = cut === -1 ? { kind: 'upload', upload } : { kind: 'prefix', prefix: prefix + rest.slice(0, cut + delimiter!.length) };
    const last = items[items.length - 1];
    if (item.kind === 'prefix' && last?.kind === 'prefix' && last.prefix === item.prefix) continue;
    // A rolled-up prefix not after the key marker was listed on an earlier page.
    if (item.kind === 'prefix' && keyMarker !== undefined && item.prefix <= keyMarker) continue;
    if (items.length === maxUploads) {
      truncated = true;
      break;
    }
    items.push(item);
  }
  const last = items[items.length - 1];
  const next: XmlObject = !truncated || last === undefined ? {} : last.kind === 'upload'
    ? { NextKeyMarker: nameOf(last.upload.key, encode), NextUploadIdMarker: last.upload.uploadId }
    : { NextKeyMarker: nameOf(last.prefix, encode), NextUploadIdMarker: '' };
  return {
    status: 200,
    xml: {
      root: 'ListMultipartUploadsResult',
      body: {
        Bucket: bucket,
        KeyMarker: nameOf(keyMarker ?? '', encode),
        UploadIdMarker: uploadIdMarker ?? '',
        ...next,
        Delimiter: delimiter === undefined ? undefined : nameOf(delimiter, encode),
        Prefix: nameOf(prefix, encode),
        MaxUploads: maxUploads,
        IsTruncated: truncated,
        Upload: items.flatMap((item) => {
          if (item.kind !== 'upload') return [];
          const record = parseUploadRecord(item.upload.record);
          return [{
            Key: nameOf(item.upload.key, encode), UploadId: item.upload.uploadId, ...uploadParties(record, principal), StorageClass: record.attributes.storageClass, Initiated: item.upload.initiated,
            ...(record.checksumAlgorithm ? { ChecksumAlgorithm: record.checksumAlgorithm, ChecksumType: record.checksumType ?? undefined } : {}),
          }];
        }),
        CommonPrefixes: items.flatMap((item) => (item.kind === 'prefix' ? [{ Prefix: nameOf(item.prefix, encode) }] : [])),
        EncodingType: encode ? 'url' : undefined,
      },
    },
  };
};
