/**
 * UploadPartCopy (`PUT /{bucket}/{key}?partNumber=N&uploadId=` + `x-amz-copy-source`): bytes
 * of another object, opened as authenticated plaintext under its own key (kms:Decrypt as the
 * caller), re-encrypted as one part under the upload's key. `x-amz-copy-source-range` picks
 * `bytes=first-last` of the source, as S3 reads it.
 */
import { createChecksumCheck } from '../checksums/index.js';
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import { assertBucketMayExist } from '../s3/bucket-name.js';
import { COPY_SOURCE, checkCopySourceConditions, parseCopySource } from '../s3/copy-source.js';
import { MAX_PART_SIZE, checksumElements, loadUpload, parsePartNumber, uploadIdOf, uploadSseHeaders } from '../s3/multipart.js';
import { openObjectPlaintext, type PlaintextRange } from '../sse/index.js';
import { writeEncryptedPart } from '../sse/part-writer.js';
import { objectIo, type Operation } from './operation.js';

const COPY_SOURCE_RANGE = 'x-amz-copy-source-range';

/** `bytes=first-last` within the source; absent → the whole source. */
export function parseCopySourceRange(value: string | undefined, size: number): PlaintextRange | undefined {
  if (value === undefined) return undefined;
  const match = /^bytes=(\d{1,16})-(\d{1,16})$/.exec(value.trim());
  if (!match) {
    throw new S3Error('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', {
      ArgumentName: COPY_SOURCE_RANGE, ArgumentValue: value,
    });
  }
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (start > end || end >= size) {
    throw new S3Error('InvalidArgument', `Range specified is not valid for source object of size: ${size}`, { ArgumentName: COPY_SOURCE_RANGE, ArgumentValue: value });
  }
  return { start, end };
}

export const UploadPartCopy: Operation = async (ctx) => {
  const { bucket, key, deps, headers, query } = ctx;
  const partNumber = parsePartNumber(query.get('partNumber'));
  const uploadId = uploadIdOf(query);
  const source = parseCopySource(headerValue(headers, COPY_SOURCE));
  assertBucketMayExist(source.bucket);
  const upload = await loadUpload(deps.store, bucket, key, uploadId);
  const opened = await openObjectPlaintext({
    ...objectIo(ctx),
    bucket: source.bucket,
    key: source.key,
    select: (meta) => {
      checkCopySourceConditions(headers, meta);
      const range = parseCopySourceRange(headerValue(headers, COPY_SOURCE_RANGE), meta.plaintextSize);
      const length = range ? range.end - range.start + 1 : meta.plaintextSize;
      if (length > MAX_PART_SIZE) throw new S3Error('EntityTooLarge', undefined, { ProposedSize: length, MaxSizeAllowed: MAX_PART_SIZE });
      return range;
    },
  });
  const algorithm = upload.parsed.checksumAlgorithm;
  const computed = algorithm ? createChecksumCheck(algorithm) : undefined;
  try {
    const written = await writeEncryptedPart({
      ...objectIo(ctx),
      bucket,
      key,
      uploadId,
      upload: upload.parsed,
      partNumber,
      length: opened.range ? opened.range.end - opened.range.start + 1 : opened.meta.plaintextSize,
      plaintext: () => (computed ? [opened.stream, computed] : [opened.stream]),
      checksums: () => (computed && algorithm ? { [algorithm]: computed.result() } : {}),
    });
    return {
      status: 200,
      headers: uploadSseHeaders(upload.parsed),
      xml: { root: 'CopyPartResult', body: { ETag: `"${written.etag}"`, LastModified: written.lastModified.toISOString(), ...checksumElements(written.checksums) } },
    };
  } finally {
    opened.stream.destroy();
  }
};
