/**
 * More of the S3 surface through the JS SDK: every trailing checksum algorithm the SDK
 * offers, ranged GETs, checksums returned on request, and a gateway in another region.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type ChecksumAlgorithm } from '@aws-sdk/client-s3';
import { bodyBytes, bucketName, errorOf, startTestGateway, useGatewayWithBucket } from '../harness.js';

const fx = useGatewayWithBucket('more');

describe('flexible checksums', () => {
  it.each(['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as ChecksumAlgorithm[])('a stream upload with a %s trailer is verified, stored and returned', async (algorithm) => {
    const body = randomBytes(150_000);
    const key = `checksum-${algorithm}`;
    const put = await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: key, Body: Readable.from([body]), ContentLength: body.length, ChecksumAlgorithm: algorithm, ServerSideEncryption: 'aws:kms' }));
    const field = `Checksum${algorithm}` as const;
    expect(put[field]).toBeDefined();
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key, ChecksumMode: 'ENABLED' }));
    expect(got[field]).toBe(put[field]);
    expect((await bodyBytes(got.Body)).equals(body)).toBe(true);
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key, ChecksumMode: 'ENABLED' }));
    expect(head[field]).toBe(put[field]);
  });
});

describe('ranged GETs', () => {
  const body = randomBytes(200_000);

  beforeAll(async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'ranged', Body: body, ServerSideEncryption: 'aws:kms' }));
  });

  it.each([
    ['bytes=0-0', 0, 0],
    ['bytes=70000-140000', 70000, 140000],
    ['bytes=65535-65536', 65535, 65536],
    ['bytes=-10', 199990, 199999],
    ['bytes=199000-', 199000, 199999],
  ])('%s', async (range, start, end) => {
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'ranged', Range: range }));
    expect(got.$metadata.httpStatusCode).toBe(206);
    expect(got.ContentRange).toBe(`bytes ${start}-${end}/${body.length}`);
    expect((await bodyBytes(got.Body)).equals(body.subarray(start, end + 1))).toBe(true);
  });

  it('an unsatisfiable range is 416 InvalidRange', async () => {
    expect(await errorOf(fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'ranged', Range: 'bytes=300000-' })))).toMatchObject({ name: 'InvalidRange', status: 416 });
  });
});

describe('a gateway in another region', () => {
  it('re-creating your own fx.bucket there is BucketAlreadyOwnedByYou', async () => {
    const eu = await startTestGateway({ region: 'eu-west-1' });
    try {
      const name = bucketName('eu');
      const config = { LocationConstraint: 'eu-west-1' as const };
      await eu.s3.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: config }));
      expect(await errorOf(eu.s3.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: config })))).toMatchObject({ name: 'BucketAlreadyOwnedByYou', status: 409 });
      const put = await eu.s3.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms' }));
      expect(put.SSEKMSKeyId).toMatch(/^arn:aws:kms:eu-west-1:/);
    } finally {
      await eu.stop();
    }
  });
});
