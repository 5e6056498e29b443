/**
 * CreateMultipartUpload (`POST /{bucket}/{key}?uploads`): the encryption of the whole upload is
 * fixed here, as in S3. The SSE choice (request headers, else the bucket default), one data key
 * from the KMS under the final object's context (its own `aws:s3:arn`), and the object's
 * attributes go into the upload record; parts later unwrap that key, never ask for another.
 */
import { algorithmFromName, type ChecksumAlgorithm } from '../checksums/index.js';
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import { refuseAclHeaders } from '../s3/acl.js';
import { sseForNewObject } from '../s3/bucket-encryption.js';
import { newObjectSseHeaders, userMetadataOf } from '../s3/object-headers.js';
import { systemMetadataOf } from '../s3/system-metadata.js';
import { buildEncryptionContext } from '../sse/context.js';
import { generateObjectKey } from '../sse/object-crypto.js';
import { sealUploadRecord, type ChecksumType } from '../sse/upload-record.js';
import { objectIo, type Operation } from './operation.js';

/** x-amz-checksum-algorithm and x-amz-checksum-type, with S3's defaults and refusals. */
function checksumChoice(algorithmHeader: string | undefined, typeHeader: string | undefined): { algorithm: ChecksumAlgorithm | null; type: ChecksumType | null } {
  const algorithm = algorithmHeader === undefined ? null : algorithmFromName(algorithmHeader);
  if (algorithm === undefined) throw new S3Error('InvalidRequest', 'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  if (typeHeader !== undefined && typeHeader !== 'COMPOSITE' && typeHeader !== 'FULL_OBJECT') {
    throw new S3Error('InvalidRequest', 'Value for x-amz-checksum-type header is invalid.');
  }
  if (algorithm === null) {
    if (typeHeader !== undefined) throw new S3Error('InvalidRequest', 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    return { algorithm: null, type: null };
  }
  const type: ChecksumType = typeHeader ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
  if (type === 'COMPOSITE' && algorithm === 'CRC64NVME') throw new S3Error('InvalidRequest', 'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.');
  if (type === 'FULL_OBJECT' && (algorithm === 'SHA1' || algorithm === 'SHA256')) {
    throw new S3Error('InvalidRequest', `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
  }
  return { algorithm, type };
}

export const CreateMultipartUpload: Operation = async (ctx) => {
  const { bucket, key, deps, headers } = ctx;
  refuseAclHeaders(headers);
  const system = systemMetadataOf(headers);
  const userMetadata = userMetadataOf(headers);
  const checksum = checksumChoice(headerValue(headers, 'x-amz-checksum-algorithm'), headerValue(headers, 'x-amz-checksum-type'));
  const sse = await sseForNewObject(deps.store, bucket, headers);
  const io = objectIo(ctx);
  if (sse.sse === 'aws:kms') io.assertMayUseKms();
  const context = buildEncryptionContext({ header: sse.sse === 'aws:kms' ? sse.contextHeader : undefined, bucket, key });
  const dataKey = await generateObjectKey(deps.kms, objectIo(ctx).caller, sse, context);
  let record: Buffer;
  try {
    record = sealUploadRecord(
      {
        sse: sse.sse,
        kmsKeyArn: dataKey.kmsKeyArn,
        wrappedDek: dataKey.wrappedDek.toString('base64'),
        encryptionContext: context.context,
        checksumAlgorithm: checksum.algorithm,
        checksumType: checksum.type,
        attributes: { ...system, userMetadata },
        initiator: { arn: ctx.principal.arn, name: ctx.principal.name, accountId: ctx.principal.accountId },
      },
      dataKey.dek,
    );
  } finally {
    dataKey.dek.fill(0);
  }
  const upload = await deps.store.createUpload(bucket, key, record);
  const responseHeaders = newObjectSseHeaders({ sse: sse.sse, kmsKeyArn: dataKey.kmsKeyArn }, headers);
  if (checksum.algorithm) {
    responseHeaders['x-amz-checksum-algorithm'] = checksum.algorithm;
    responseHeaders['x-amz-checksum-type'] = checksum.type!;
  }
  return {
    status: 200,
    headers: responseHeaders,
    xml: { root: 'InitiateMultipartUploadResult', body: { Bucket: bucket, Key: key, UploadId: upload.uploadId } },
  };
};
