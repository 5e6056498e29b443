/**
 * UploadPart (`PUT /{bucket}/{key}?partNumber=N&uploadId=`): the verified body encrypted as
 * one part under the upload's data key (sse/part-writer.ts). SSE-KMS headers on a part are
 * ignored, as S3 ignores them: the encryption was fixed at CreateMultipartUpload. An upload
 * created with a checksum algorithm takes that algorithm on every part: another one is
 * refused, and a part sent without one gets it computed.
 */
import { checksumSources, createChecksumCheck, parseRequestChecksum, type ChecksumCheck } from '../checksums/index.js';
import { payloadStages } from '../http/body.js';
import { S3Error } from '../http/errors.js';
import { MAX_PART_SIZE, checksumHeaders, loadUpload, parsePartNumber, uploadIdOf, uploadSseHeaders } from '../s3/multipart.js';
import { writeEncryptedPart } from '../sse/part-writer.js';
import { objectIo, type Operation } from './operation.js';

export const UploadPart: Operation = async (ctx) => {
  const { bucket, key, deps, headers, query } = ctx;
  const partNumber = parsePartNumber(query.get('partNumber'));
  const uploadId = uploadIdOf(query);
  const upload = await loadUpload(deps.store, bucket, key, uploadId);
  const algorithm = upload.parsed.checksumAlgorithm;
  const requested = parseRequestChecksum(checksumSources(headers, query, ctx.auth.presigned));
  if (algorithm && requested && requested.algorithm !== algorithm) {
    throw new S3Error('InvalidRequest', `Checksum Type mismatch occurred, expected checksum Type: ${algorithm.toLowerCase()}, actual checksum Type: ${requested.algorithm.toLowerCase()}`);
  }
  const payload = payloadStages(ctx, MAX_PART_SIZE);
  const computed: ChecksumCheck | undefined = algorithm && !requested ? createChecksumCheck(algorithm) : undefined;
  try {
    const written = await writeEncryptedPart({
      ...objectIo(ctx),
      bucket,
      key,
      uploadId,
      upload: upload.parsed,
      partNumber,
      length: payload.length,
      plaintext: () => {
        const streams = payload.streams();
        return computed ? [...streams, computed] : streams;
      },
      checksums: () => {
        if (computed && algorithm) return { [algorithm]: computed.result() };
        const sent = requested ? payload.checksum() : undefined;
        return sent ? { [sent.algorithm]: sent.base64 } : {};
      },
    });
    const { 'x-amz-checksum-type': _type, ...checksums } = checksumHeaders(written.checksums);
    return { status: 200, headers: { ETag: `"${written.etag}"`, ...uploadSseHeaders(upload.parsed), ...checksums } };
  } finally {
    payload.discard();
  }
};
