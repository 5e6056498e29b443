/**
 * S3's default checksum for a multipart upload created without `x-amz-checksum-algorithm`:
 * each part's CRC64NVME is kept as it streams (UploadPart and UploadPartCopy alike), and the
 * completion combines the kept CRCs of the listed parts into the object's FULL_OBJECT
 * CRC64NVME, as a single PUT sent without a checksum gets. The expected value is computed here
 * from the plaintext with @aws-sdk/crc64-nvme, independently of the gateway.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectAttributesCommand, GetObjectCommand, HeadObjectCommand,
  ListPartsCommand, PutObjectCommand, UploadPartCommand, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { bodyBytes, createKmsKey, useGatewayWithBucket } from '../harness.js';

const MiB = 1024 * 1024;
const fx = useGatewayWithBucket('mpdefault');
let kmsKey: { keyId: string };

beforeAll(async () => {
  kmsKey = await createKmsKey(fx.gw);
});

async function crc64nvme(data: Buffer): Promise<string> {
  const crc = new Crc64Nvme();
  crc.update(data);
  return Buffer.from(await crc.digest()).toString('base64');
}

describe('the default CRC64NVME of a multipart upload created without a checksum algorithm', () => {
  it('combines the listed parts (re-uploaded, copied, numbered with a gap) into the FULL_OBJECT CRC64NVME of the plaintext', async () => {
    const { s3 } = fx.gw;
    const Bucket = fx.bucket;
    const Key = 'default/object';
    const source = randomBytes(6 * MiB);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'default/source', Body: source, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey.keyId }));
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey.keyId }));
    const UploadId = created.UploadId!;
    expect(created.ChecksumAlgorithm).toBeUndefined();

    // Part 1 is uploaded twice; only the second attempt may count.
    await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: randomBytes(5 * MiB + 1) }));
    const first = randomBytes(5 * MiB + 1);
    const part1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: first }));
    // The kept CRC is not the part's checksum: the client did not ask for one.
    expect(part1.ChecksumCRC64NVME).toBeUndefined();
    const copied = source.subarray(MiB / 2, MiB / 2 + 5 * MiB);
    const part3 = await s3.send(new UploadPartCopyCommand({
      Bucket, Key, UploadId, PartNumber: 3, CopySource: `${Bucket}/default/source`, CopySourceRange: `bytes=${MiB / 2}-${MiB / 2 + 5 * MiB - 1}`,
    }));
    expect(part3.CopyPartResult?.ChecksumCRC64NVME).toBeUndefined();
    const last = randomBytes(1234);
    const part4 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 4, Body: last }));
    const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(listed.Parts?.map((p) => p.ChecksumCRC64NVME)).toEqual([undefined, undefined, undefined]);

    const whole = Buffer.concat([first, copied, last]);
    const expected = await crc64nvme(whole);
    const done = await s3.send(new CompleteMultipartUploadCommand({
      Bucket, Key, UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part1.ETag }, { PartNumber: 3, ETag: part3.CopyPartResult?.ETag }, { PartNumber: 4, ETag: part4.ETag }] },
    }));
    expect([done.ChecksumCRC64NVME, done.ChecksumType]).toEqual([expected, 'FULL_OBJECT']);

    const head = await s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    expect([head.ChecksumCRC64NVME, head.ChecksumType]).toEqual([expected, 'FULL_OBJECT']);
    // The SDK validates a FULL_OBJECT value against the bytes it reads: a wrong one throws.
    const got = await s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    expect([got.ChecksumCRC64NVME, got.ChecksumType]).toEqual([expected, 'FULL_OBJECT']);
    expect((await bodyBytes(got.Body)).equals(whole)).toBe(true);
    const attributes = await s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes: ['Checksum'] }));
    expect(attributes.Checksum).toEqual({ ChecksumCRC64NVME: expected, ChecksumType: 'FULL_OBJECT' });
  });
});
