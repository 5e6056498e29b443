/**
 * GetObjectEnvelope (`GET /bucket/key?x-kmsgate-envelope`), a kmsgate extension: what wraps
 * an object, read from its metadata record and the clear header of its wrapped data key,
 * without calling the KMS. Authorised as s3:GetObject on the object, since it says no more
 * than a HEAD and a look at the stored blob would: which KMS key and key-material version
 * wrap the data key, a SHA-256 fingerprint of the wrapped blob (never the blob, never the
 * plaintext key), the encryption context bound to it, and how many GWSE segments of
 * ciphertext, stream by stream, the key protects.
 *
 *   <ObjectEnvelope>
 *     <Bucket/> <Key/> <ServerSideEncryption/> [<SSEKMSKeyId/>] <BucketKeyEnabled/>
 *     <DataKey> <WrappingKeyId/> <KeyMaterialVersion/> <BlobFormatVersion/> <BlobLength/> <BlobSha256/> </DataKey>
 *     <EncryptionContext> <Entry><Key/><Value/></Entry>… </EncryptionContext>
 *     <Format/> <SegmentSize/> <PlaintextSize/> <CiphertextSize/> <SegmentCount/>
 *     <Stream><PartNumber/><PlaintextSize/><SegmentCount/></Stream>…   (0 = single-part object)
 *   </ObjectEnvelope>
 *
 * WrappingKeyId is the key id inside the blob; for SSE-S3 it is the gateway's own S3 key,
 * which the KMS API does not expose.
 */
import { createHash } from 'node:crypto';
import { parseBlob } from '@kmsgate/kms-core';
import { IntegrityError, readObjectRecord, segmentCount } from '../sse/index.js';
import type { Operation } from './operation.js';

export const ENVELOPE_SUBRESOURCE = 'x-kmsgate-envelope';

export const GetObjectEnvelope: Operation = async ({ bucket, key, deps }) => {
  const meta = await readObjectRecord(deps.store, bucket, key);
  const blob = Buffer.from(meta.wrappedDek, 'base64');
  let header;
  try {
    header = parseBlob(blob);
  } catch {
    throw new IntegrityError('the wrapped data key of the record is not a ciphertext blob');
  }
  const streams = meta.parts
    ? meta.parts.map((p) => ({ PartNumber: p.partNumber, PlaintextSize: p.plaintextSize, SegmentCount: segmentCount(p.plaintextSize, meta.segmentSize) }))
    : [{ PartNumber: 0, PlaintextSize: meta.plaintextSize, SegmentCount: segmentCount(meta.plaintextSize, meta.segmentSize) }];
  return {
    status: 200,
    xml: {
      root: 'ObjectEnvelope',
      body: {
        Bucket: bucket,
        Key: key,
        ServerSideEncryption: meta.sse,
        SSEKMSKeyId: meta.kmsKeyArn ?? undefined,
        BucketKeyEnabled: meta.bucketKeyEnabled,
        DataKey: {
          WrappingKeyId: header.keyUuid,
          KeyMaterialVersion: header.materialVersion,
          BlobFormatVersion: header.version,
          BlobLength: blob.length,
          BlobSha256: createHash('sha256').update(blob).digest('hex'),
        },
        EncryptionContext: { Entry: Object.entries(meta.encryptionContext).map(([Key, Value]) => ({ Key, Value })) },
        Format: meta.algorithm,
        SegmentSize: meta.segmentSize,
        PlaintextSize: meta.plaintextSize,
        CiphertextSize: meta.ciphertextSize,
        SegmentCount: streams.reduce((sum, s) => sum + s.SegmentCount, 0),
        Stream: streams,
      },
    },
  };
};
