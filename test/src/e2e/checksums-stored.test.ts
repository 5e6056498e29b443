/**
 * Flexible checksums as S3 keeps them: a presigned URL's hoisted checksum is verified against
 * the upload, objects sent without one get a CRC64NVME, checksums come back only when asked
 * and only for the whole object, and GetObjectAttributes reports them.
 */
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import request from 'supertest';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { GetObjectAttributesCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { bodyBytes, errorOf, useGatewayWithBucket } from '../harness.js';
import { sha256Hex, signHeaders } from '../signing.js';
import { s3ErrorOf } from '../xml.js';

const fx = useGatewayWithBucket('cks');

async function crc64nvme(data: Buffer): Promise<string> {
  const h = new Crc64Nvme();
  h.update(data);
  return Buffer.from(await h.digest()).toString('base64');
}

function crc32Base64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data));
  return out.toString('base64');
}

describe('presigned PUT URLs with the presigner default settings', () => {
  it('carry the CRC32 of the empty body, and a non-empty upload to one is refused with BadDigest', async () => {
    const url = await getSignedUrl(fx.gw.s3, new PutObjectCommand({ Bucket: fx.bucket, Key: 'presigned' }), { expiresIn: 300 });
    const query = new URL(url).searchParams;
    expect(query.get('x-amz-checksum-crc32')).toBe('AAAAAA==');
    expect(query.get('x-amz-sdk-checksum-algorithm')).toBe('CRC32');
    const res = await request(url).put('').set('content-type', 'application/octet-stream').send(Buffer.from('not empty'));
    expect(res.status).toBe(400);
    expect(s3ErrorOf(res.text)).toMatchObject({ code: 'BadDigest', message: 'The CRC32 you specified did not match the calculated checksum.' });
    expect(await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'presigned' })))).toMatchObject({ status: 404 });
    // The body the URL was made for is accepted.
    expect((await request(url).put('').send(Buffer.alloc(0))).status).toBe(200);
  });

  it('made for a known body, accept that body and store its CRC32', async () => {
    const body = randomBytes(1000);
    const url = await getSignedUrl(fx.gw.s3, new PutObjectCommand({ Bucket: fx.bucket, Key: 'presigned-body', Body: body }), { expiresIn: 300 });
    expect(new URL(url).searchParams.get('x-amz-checksum-crc32')).toBe(crc32Base64(body));
    expect((await request(url).put('').set('content-type', 'application/octet-stream').send(body)).status).toBe(200);
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'presigned-body', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC32).toBe(crc32Base64(body));
  });
});

describe('the default CRC64NVME', () => {
  const body = randomBytes(70_000);
  // A client that sends no checksum at all, as older SDKs and plain HTTP clients do.
  const bare = () => new S3Client({ endpoint: fx.gw.endpoint, region: fx.gw.region, credentials: fx.gw.credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });

  it('is stored for an upload without a checksum and returned, FULL_OBJECT, when asked', async () => {
    const client = bare();
    try {
      const put = await client.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'default', Body: body }));
      const expected = await crc64nvme(body);
      expect(put.ChecksumCRC64NVME).toBe(expected);
      // The SDK's default GET sends checksum mode and validates what comes back against the body.
      const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'default', ChecksumMode: 'ENABLED' }));
      expect(got.ChecksumCRC64NVME).toBe(expected);
      expect(got.ChecksumType).toBe('FULL_OBJECT');
      expect((await bodyBytes(got.Body)).equals(body)).toBe(true);
      const head = await client.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'default' }));
      expect(head.ChecksumCRC64NVME).toBeUndefined();
    } finally {
      client.destroy();
    }
  });

  it('a client checksum replaces it: one checksum per object', async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'sha', Body: body, ChecksumAlgorithm: 'SHA256' }));
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'sha', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumSHA256).toBeDefined();
    expect(head.ChecksumCRC64NVME).toBeUndefined();
    expect(head.ChecksumCRC32).toBeUndefined();
  });

  it('is never sent on a ranged GET, even with checksum mode', async () => {
    const path = `/${fx.bucket}/default`;
    const headers = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region,
      { method: 'GET', path, headers: { range: 'bytes=0-9', 'x-amz-checksum-mode': 'ENABLED' } }, { payloadHash: sha256Hex('') });
    const res = await request(fx.gw.endpoint).get(path).set(headers);
    expect(res.status).toBe(206);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('x-amz-checksum'))).toEqual([]);
  });
});

describe('GetObjectAttributes', () => {
  it('returns ETag (unquoted), Checksum, StorageClass and ObjectSize, only those asked for', async () => {
    const body = randomBytes(5000);
    const put = await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'attrs', Body: body, StorageClass: 'ONEZONE_IA' }));
    const all = await fx.gw.s3.send(new GetObjectAttributesCommand({ Bucket: fx.bucket, Key: 'attrs', ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] }));
    expect(all).toMatchObject({
      ETag: put.ETag!.replace(/"/g, ''),
      Checksum: { ChecksumCRC32: put.ChecksumCRC32, ChecksumType: 'FULL_OBJECT' },
      StorageClass: 'ONEZONE_IA',
      ObjectSize: 5000,
    });
    expect(all.ObjectParts).toBeUndefined();
    expect(all.LastModified).toBeInstanceOf(Date);
    const some = await fx.gw.s3.send(new GetObjectAttributesCommand({ Bucket: fx.bucket, Key: 'attrs', ObjectAttributes: ['ObjectSize'] }));
    expect(some.ObjectSize).toBe(5000);
    expect(some.ETag).toBeUndefined();
    expect(some.Checksum).toBeUndefined();
    expect(await errorOf(fx.gw.s3.send(new GetObjectAttributesCommand({ Bucket: fx.bucket, Key: 'missing', ObjectAttributes: ['ETag'] }))))
      .toMatchObject({ name: 'NoSuchKey', status: 404 });
  });

  it('refuses a missing, empty or unknown x-amz-object-attributes', async () => {
    const path = `/${fx.bucket}/attrs`;
    const ask = async (headers: Record<string, string>) => {
      const signed = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'GET', path, query: { attributes: '' }, headers }, { payloadHash: sha256Hex('') });
      const res = await request(fx.gw.endpoint).get(`${path}?attributes`).set(signed);
      return { status: res.status, ...s3ErrorOf(res.text) };
    };
    const missing = 'The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty';
    expect(await ask({})).toMatchObject({ status: 400, code: 'InvalidRequest', message: missing });
    expect(await ask({ 'x-amz-object-attributes': '' })).toMatchObject({ status: 400, code: 'InvalidRequest' });
    expect(await ask({ 'x-amz-object-attributes': 'ETag,Colour' })).toMatchObject({ status: 400, code: 'InvalidArgument', message: 'Invalid attribute name specified.' });
  });
});
