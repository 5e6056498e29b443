/**
 * UploadPart (`PUT /{bucket}/{key}?partNumber=N&uploadId=`): the verified body encrypted as
 * one part under the upload's data key (operations/part-commit.ts). SSE-KMS headers on a part
 * are ignored, as S3 ignores them: the encryption was fixed at CreateMultipartUpload. A part of
 * an upload created with a checksum algorithm may carry only that algorithm's checksum.
 */
import { checksumSources, parseRequestChecksum } from '../checksums/index.js';
import { payloadStages } from '../http/body.js';
import { S3Error } from '../http/errors.js';
import { MAX_PART_SIZE, checksumHeaders } from '../s3/multipart.js';
import { commitPart, partTargetOf } from './part-commit.js';
import type { Operation } from './operation.js';

export const UploadPart: Operation = async (ctx) => {
  const target = await partTargetOf(ctx);
  const algorithm = target.upload.parsed.checksumAlgorithm;
  const requested = parseRequestChecksum(checksumSources(ctx.headers, ctx.query, ctx.auth.presigned));
  if (algorithm && requested && requested.algorithm !== algorithm) {
    throw new S3Error('InvalidRequest', `Checksum Type mismatch occurred, expected checksum Type: ${algorithm.toLowerCase()}, actual checksum Type: ${requested.algorithm.toLowerCase()}`);
  }
  const payload = payloadStages(ctx, MAX_PART_SIZE);
  try {
    const written = await commitPart(ctx, target, { length: payload.length, streams: payload.streams, sent: requested ? payload.checksum : undefined });
    const { 'x-amz-checksum-type': _type, ...checksums } = checksumHeaders(written.checksums);
    return { status: 200, headers: { ETag: `"${written.etag}"`, ...written.sseHeaders, ...checksums } };
  } finally {
    payload.discard();
  }
};
