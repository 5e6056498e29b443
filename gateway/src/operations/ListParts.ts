/**
 * ListParts (`GET /{bucket}/{key}?uploadId=`): the latest attempt of each part, by part
 * number, from the part records (no KMS call, as HEAD); `max-parts` (default and cap 1000)
 * and `part-number-marker` page through them.
 */
import { S3Error } from '../http/errors.js';
import { checksumElements, loadUpload, uploadIdOf, uploadParties } from '../s3/multipart.js';
import { readPartRecord } from '../sse/upload-record.js';
import type { Operation } from './operation.js';

const MAX_PARTS = 1000;

function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new S3Error('InvalidArgument', `Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: raw });
  return Number(raw);
}

export const ListParts: Operation = async ({ bucket, key, deps, query, principal }) => {
  const uploadId = uploadIdOf(query);
  const maxParts = Math.min(intParam(query, 'max-parts', MAX_PARTS), MAX_PARTS);
  const marker = intParam(query, 'part-number-marker', 0);
  const upload = await loadUpload(deps.store, bucket, key, uploadId);
  const after = (await deps.store.listParts(bucket, key, uploadId)).filter((p) => p.partNumber > marker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  const { checksumAlgorithm, checksumType } = upload.parsed;
  return {
    status: 200,
    xml: {
      root: 'ListPartsResult',
      body: {
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumberMarker: marker,
        NextPartNumberMarker: page.length > 0 ? page[page.length - 1].partNumber : marker,
        MaxParts: maxParts,
        IsTruncated: truncated,
        Part: page.map((part) => {
          const record = readPartRecord(part.metadata);
          return { PartNumber: part.partNumber, LastModified: part.lastModified, ETag: `"${record.etag}"`, Size: record.plaintextSize, ...checksumElements(record.checksums) };
        }),
        ...uploadParties(upload.parsed, principal),
        StorageClass: upload.parsed.attributes.storageClass,
        ...(checksumAlgorithm ? { ChecksumAlgorithm: checksumAlgorithm, ChecksumType: checksumType ?? undefined } : {}),
      },
    },
  };
};
