/**
 * Multipart upload through @aws-sdk/client-s3 against a real gateway: SSE headers on every
 * answer, re-uploaded and out-of-order parts, S3's completion errors, ranges across part
 * boundaries, partNumber reads, UploadPartCopy from an SSE-KMS source, listings, aborts that
 * leave no part file, conditional completion, a copy of a multipart object, and uploads in
 * progress that survive a restart.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectAttributesCommand,
  GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, PutObjectCommand, UploadPartCommand, UploadPartCopyCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { bodyBytes, bucketName, createKmsKey, errorOf, startTestGateway, useGatewayWithBucket } from '../harness.js';
import { allFiles } from '../disk.js';

const MiB = 1024 * 1024;
const fx = useGatewayWithBucket('mp');
let kmsKey: { keyId: string; keyArn: string };

beforeAll(async () => {
  kmsKey = await createKmsKey(fx.gw);
});

async function create(key: string, extra: Partial<ConstructorParameters<typeof CreateMultipartUploadCommand>[0]> = {}): Promise<string> {
  const out = await fx.gw.s3.send(new CreateMultipartUploadCommand({ Bucket: fx.bucket, Key: key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey.keyId, ...extra }));
  return out.UploadId!;
}

async function part(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<CompletedPart> {
  const out = await fx.gw.s3.send(new UploadPartCommand({ Bucket: fx.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body }));
  return { PartNumber: partNumber, ETag: out.ETag };
}

function complete(key: string, uploadId: string, parts: CompletedPart[], extra: Partial<ConstructorParameters<typeof CompleteMultipartUploadCommand>[0]> = {}) {
  return fx.gw.s3.send(new CompleteMultipartUploadCommand({ Bucket: fx.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts }, ...extra }));
}

async function getRange(key: string, range: string): Promise<Buffer> {
  return bodyBytes((await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key, Range: range }))).Body);
}

const md5 = (b: Buffer): Buffer => createHash('md5').update(b).digest();

/** Part files of uploads in progress, on disk. */
async function partFiles(dataDir: string): Promise<string[]> {
  return (await allFiles(dataDir)).filter((f) => f.includes('/uploads/'));
}

describe('multipart upload with SSE-KMS', () => {
  const data = [randomBytes(5 * MiB), randomBytes(5 * MiB + 17), randomBytes(123_457)];
  const whole = Buffer.concat(data);
  const key = 'mp/whole.bin';

  it('echoes the SSE headers and key ARN on create, every part and complete, and answers an S3 multipart ETag', async () => {
    const created = await fx.gw.s3.send(new CreateMultipartUploadCommand({ Bucket: fx.bucket, Key: key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey.keyId, ContentType: 'application/x-test', Metadata: { colour: 'blue' } }));
    expect([created.ServerSideEncryption, created.SSEKMSKeyId]).toEqual(['aws:kms', kmsKey.keyArn]);
    const uploadId = created.UploadId!;
    // Out of order, and part 2 uploaded twice: the second attempt is the one kept.
    const parts: CompletedPart[] = [];
    for (const n of [3, 2, 1]) {
      const command = new UploadPartCommand({ Bucket: fx.bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: n === 2 ? randomBytes(5 * MiB + 17) : data[n - 1] });
      // SSE-KMS headers on a part (which the SDK does not model) are ignored, as S3 ignores them.
      command.middlewareStack.add((next) => async (args) => {
        const headers = (args.request as { headers: Record<string, string> }).headers;
        headers['x-amz-server-side-encryption'] = 'aws:kms';
        headers['x-amz-server-side-encryption-aws-kms-key-id'] = 'no-such-key';
        return next(args);
      }, { step: 'build' });
      const out = await fx.gw.s3.send(command);
      expect([out.ServerSideEncryption, out.SSEKMSKeyId]).toEqual(['aws:kms', kmsKey.keyArn]);
      parts[n - 1] = { PartNumber: n, ETag: out.ETag };
    }
    const retried = await part(key, uploadId, 2, data[1]);
    expect(retried.ETag).not.toBe(parts[1].ETag);
    parts[1] = retried;
    const done = await complete(key, uploadId, parts);
    expect([done.ServerSideEncryption, done.SSEKMSKeyId]).toEqual(['aws:kms', kmsKey.keyArn]);
    const binary = Buffer.concat(parts.map((p) => Buffer.from(p.ETag!.replace(/"/g, ''), 'hex')));
    expect(done.ETag).toBe(`"${createHash('md5').update(binary).digest('hex')}-3"`);
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key }));
    expect([got.ServerSideEncryption, got.SSEKMSKeyId, got.ETag, got.ContentType, got.Metadata?.colour]).toEqual(['aws:kms', kmsKey.keyArn, done.ETag, 'application/x-test', 'blue']);
    expect(md5(await bodyBytes(got.Body)).equals(md5(whole))).toBe(true);
  });

  it('serves ranges within and across part boundaries', async () => {
    const b = 5 * MiB;
    for (const [start, end] of [[b - 3, b + 2], [0, 0], [b - 1, b], [b * 2 + 16, b * 2 + 18], [1, whole.length - 2], [b + 1000, b + 1999]]) {
      expect((await getRange(key, `bytes=${start}-${end}`)).equals(whole.subarray(start, end + 1))).toBe(true);
    }
    expect((await getRange(key, 'bytes=-70000')).equals(whole.subarray(whole.length - 70000))).toBe(true);
  });

  it('reads one part with partNumber, and heads it with x-amz-mp-parts-count', async () => {
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key, PartNumber: 2 }));
    expect(got.PartsCount).toBe(3);
    expect(got.ContentRange).toBe(`bytes ${5 * MiB}-${10 * MiB + 16}/${whole.length}`);
    expect((await bodyBytes(got.Body)).equals(data[1])).toBe(true);
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key, PartNumber: 3 }));
    expect([head.PartsCount, head.ContentLength]).toEqual([3, data[2].length]);
    expect((await errorOf(fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key, PartNumber: 4 })))).status).toBe(416);
    const attributes = await fx.gw.s3.send(new GetObjectAttributesCommand({ Bucket: fx.bucket, Key: key, ObjectAttributes: ['ObjectParts', 'ObjectSize'] }));
    expect(attributes.ObjectParts?.TotalPartsCount).toBe(3);
    expect(attributes.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual(data.map((d, i) => [i + 1, d.length]));
    expect(attributes.ObjectSize).toBe(whole.length);
  });

  it('copies a multipart object into a single-part one', async () => {
    await fx.gw.s3.send(new CopyObjectCommand({ Bucket: fx.bucket, Key: 'mp/copied', CopySource: `${fx.bucket}/${key}` }));
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'mp/copied' }));
    expect(md5(await bodyBytes(got.Body)).equals(md5(whole))).toBe(true);
  });
});

describe('UploadPartCopy', () => {
  it('copies whole sources and ranges of SSE-KMS objects, single and multipart, into parts under the upload key', async () => {
    const source = randomBytes(6 * MiB);
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'src/kms', Body: source, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey.keyId }));
    const key = 'mp/from-copies';
    const uploadId = await create(key, { ServerSideEncryption: 'AES256', SSEKMSKeyId: undefined });
    const p1 = await fx.gw.s3.send(new UploadPartCopyCommand({ Bucket: fx.bucket, Key: key, UploadId: uploadId, PartNumber: 1, CopySource: `${fx.bucket}/src/kms` }));
    expect(p1.ServerSideEncryption).toBe('AES256');
    expect(p1.CopyPartResult?.ETag).toBe(`"${md5(source).toString('hex')}"`);
    const p2 = await fx.gw.s3.send(new UploadPartCopyCommand({ Bucket: fx.bucket, Key: key, UploadId: uploadId, PartNumber: 2, CopySource: `${fx.bucket}/src/kms`, CopySourceRange: 'bytes=100-5242979' }));
    // A range straddling the parts of the multipart object from the test above.
    const p3 = await fx.gw.s3.send(new UploadPartCopyCommand({ Bucket: fx.bucket, Key: key, UploadId: uploadId, PartNumber: 3, CopySource: `${fx.bucket}/mp/whole.bin`, CopySourceRange: `bytes=${5 * MiB - 10}-${5 * MiB + 9}` }));
    const bad = await errorOf(fx.gw.s3.send(new UploadPartCopyCommand({ Bucket: fx.bucket, Key: key, UploadId: uploadId, PartNumber: 4, CopySource: `${fx.bucket}/src/kms`, CopySourceRange: `bytes=0-${6 * MiB}` })));
    expect([bad.name, bad.message]).toEqual(['InvalidArgument', `Range specified is not valid for source object of size: ${6 * MiB}`]);
    await complete(key, uploadId, [p1, p2, p3].map((p, i) => ({ PartNumber: i + 1, ETag: p.CopyPartResult!.ETag })));
    const got = await bodyBytes((await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key }))).Body);
    const original = await bodyBytes((await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'mp/whole.bin', Range: `bytes=${5 * MiB - 10}-${5 * MiB + 9}` }))).Body);
    expect(got.equals(Buffer.concat([source, source.subarray(100, 5242980), original]))).toBe(true);
  });
});

describe('completion rules and errors', () => {
  it('answers EntityTooSmall, InvalidPart, InvalidPartOrder, NoSuchUpload and InvalidArgument as S3 does', async () => {
    const key = 'mp/errors';
    const uploadId = await create(key);
    const small = await part(key, uploadId, 1, randomBytes(1000));
    const last = await part(key, uploadId, 2, randomBytes(10));
    const tooSmall = await errorOf(complete(key, uploadId, [small, last]));
    expect([tooSmall.name, tooSmall.status]).toEqual(['EntityTooSmall', 400]);
    expect((await errorOf(complete(key, uploadId, [{ PartNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' }]))).name).toBe('InvalidPart');
    expect((await errorOf(complete(key, uploadId, [{ PartNumber: 7, ETag: small.ETag }]))).name).toBe('InvalidPart');
    expect((await errorOf(complete(key, uploadId, [last, small]))).name).toBe('InvalidPartOrder');
    const badNumber = await errorOf(fx.gw.s3.send(new UploadPartCommand({ Bucket: fx.bucket, Key: key, UploadId: uploadId, PartNumber: 10001, Body: 'x' })));
    expect([badNumber.name, badNumber.message]).toEqual(['InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive']);
    // A list that leaves out part 1 is fine: only the named parts are kept.
    await complete(key, uploadId, [last]);
    expect((await bodyBytes((await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key }))).Body)).length).toBe(10);
    const again = await errorOf(complete(key, uploadId, [last]));
    expect([again.name, again.status]).toEqual(['NoSuchUpload', 404]);
    expect((await errorOf(fx.gw.s3.send(new UploadPartCommand({ Bucket: fx.bucket, Key: key, UploadId: uploadId, PartNumber: 1, Body: 'x' })))).name).toBe('NoSuchUpload');
    expect((await errorOf(fx.gw.s3.send(new ListPartsCommand({ Bucket: fx.bucket, Key: key, UploadId: 'not-an-upload' })))).name).toBe('NoSuchUpload');
  });

  it('checks x-amz-mp-object-size against the parts it completes, and keeps the upload on a mismatch', async () => {
    const key = 'mp/sized';
    const uploadId = await create(key);
    const parts = [await part(key, uploadId, 1, randomBytes(5 * MiB)), await part(key, uploadId, 2, randomBytes(1000))];
    const wrong = await errorOf(complete(key, uploadId, parts, { MpuObjectSize: 5 * MiB + 999 }));
    expect([wrong.name, wrong.status, wrong.message]).toEqual([
      'InvalidRequest', 400, `The provided 'x-amz-mp-object-size' header value ${5 * MiB + 999} does not match what was computed: ${5 * MiB + 1000}`,
    ]);
    expect((await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key })))).name).toBe('NotFound');
    // Not a number: refused before the body is read. (The SDK only sends numbers; the header is set before signing.)
    const malformed = new CompleteMultipartUploadCommand({ Bucket: fx.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } });
    malformed.middlewareStack.add((next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-amz-mp-object-size'] = 'ten';
      return next(args);
    }, { step: 'build' });
    const notNumber = await errorOf(fx.gw.s3.send(malformed));
    expect([notNumber.name, notNumber.status]).toEqual(['InvalidArgument', 400]);
    await complete(key, uploadId, parts, { MpuObjectSize: 5 * MiB + 1000 });
    expect((await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key }))).ContentLength).toBe(5 * MiB + 1000);
  });

  it('skips part numbers, reads parts by their own numbers, and keeps a composite CRC32 checksum of the parts', async () => {
    const key = 'mp/checksummed';
    const uploadId = await create(key, { ChecksumAlgorithm: 'CRC32' });
    const bodies = [randomBytes(5 * MiB), randomBytes(99)];
    const parts: CompletedPart[] = [];
    for (const [i, n] of [2, 5].entries()) {
      const out = await fx.gw.s3.send(new UploadPartCommand({ Bucket: fx.bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: bodies[i], ChecksumAlgorithm: 'CRC32' }));
      parts.push({ PartNumber: n, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32 });
    }
    const missing = await errorOf(complete(key, uploadId, parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag }))));
    expect(missing.name).toBe('InvalidRequest');
    const done = await complete(key, uploadId, parts);
    expect(done.ChecksumCRC32).toMatch(/-2$/);
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key, ChecksumMode: 'ENABLED' }));
    expect([head.ChecksumCRC32, head.ChecksumType]).toEqual([done.ChecksumCRC32, 'COMPOSITE']);
    // The SDK skips validating a composite value, and the bytes are the parts in order.
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key, ChecksumMode: 'ENABLED' }));
    expect((await bodyBytes(got.Body)).equals(Buffer.concat(bodies))).toBe(true);
    // partNumber names a part by the number it was completed with (2 and 5 here), as S3 does.
    const second = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key, PartNumber: 5, ChecksumMode: 'ENABLED' }));
    expect([second.ChecksumCRC32, second.PartsCount, second.ContentRange]).toEqual([parts[1].ChecksumCRC32, 2, `bytes ${5 * MiB}-${5 * MiB + 98}/${5 * MiB + 99}`]);
    expect((await bodyBytes(second.Body)).equals(bodies[1])).toBe(true);
    const first = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key, PartNumber: 2 }));
    expect([first.ContentLength, first.PartsCount]).toEqual([5 * MiB, 2]);
    for (const absent of [1, 3]) {
      const refused = await errorOf(fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key, PartNumber: absent })));
      expect([refused.name, refused.status]).toEqual(['InvalidPartNumber', 416]);
    }
    // A copy is one part: a full-object checksum of its own instead of the composite one.
    const copy = await fx.gw.s3.send(new CopyObjectCommand({ Bucket: fx.bucket, Key: `${key}.copy`, CopySource: `${fx.bucket}/${key}` }));
    expect(copy.CopyObjectResult?.ChecksumCRC64NVME).toBeDefined();
    const copied = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: `${key}.copy`, ChecksumMode: 'ENABLED' }));
    expect((await bodyBytes(copied.Body)).equals(Buffer.concat(bodies))).toBe(true);
  });

  it('completes with If-None-Match: * only while the key is free', async () => {
    const key = 'mp/create-only';
    const first = await create(key);
    const second = await create(key);
    const a = await part(key, first, 1, randomBytes(100));
    const b = await part(key, second, 1, randomBytes(200));
    await complete(key, first, [a], { IfNoneMatch: '*' });
    const refused = await errorOf(complete(key, second, [b], { IfNoneMatch: '*' }));
    expect([refused.name, refused.status]).toEqual(['PreconditionFailed', 412]);
    expect((await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key }))).ContentLength).toBe(100);
    await fx.gw.s3.send(new AbortMultipartUploadCommand({ Bucket: fx.bucket, Key: key, UploadId: second }));
  });
});

describe('listing and aborting', () => {
  it('lists parts and uploads with prefix, delimiter and markers; an abort leaves no part file', async () => {
    const bucket = bucketName('mplist');
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const ids: Record<string, string> = {};
    for (const key of ['a/1', 'a/2', 'b', 'c']) {
      ids[key] = (await fx.gw.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId!;
    }
    for (const n of [1, 2, 3]) await fx.gw.s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'b', UploadId: ids.b, PartNumber: n, Body: randomBytes(3 * MiB) }));
    const parts = await fx.gw.s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'b', UploadId: ids.b, MaxParts: 2 }));
    expect([parts.Parts?.map((p) => [p.PartNumber, p.Size]), parts.IsTruncated, parts.NextPartNumberMarker]).toEqual([[[1, 3 * MiB], [2, 3 * MiB]], true, '2']);
    const rest = await fx.gw.s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'b', UploadId: ids.b, PartNumberMarker: '2' }));
    expect(rest.Parts?.map((p) => p.PartNumber)).toEqual([3]);
    const rolled = await fx.gw.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Delimiter: '/' }));
    expect([rolled.Uploads?.map((u) => u.Key), rolled.CommonPrefixes?.map((p) => p.Prefix)]).toEqual([['b', 'c'], ['a/']]);
    const page = await fx.gw.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, MaxUploads: 2 }));
    expect([page.Uploads?.map((u) => u.Key), page.IsTruncated, page.NextKeyMarker]).toEqual([['a/1', 'a/2'], true, 'a/2']);
    const next = await fx.gw.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker }));
    expect(next.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([['b', ids.b], ['c', ids.c]]);
    expect((await fx.gw.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'a/' }))).Uploads?.map((u) => u.Key)).toEqual(['a/1', 'a/2']);

    expect((await partFiles(fx.gw.dataDir)).length).toBeGreaterThan(0);
    for (const [key, uploadId] of Object.entries(ids)) await fx.gw.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    expect((await fx.gw.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);
    expect((await errorOf(fx.gw.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'b', UploadId: ids.b })))).name).toBe('NoSuchUpload');
  });
});

describe('uploads across a restart', () => {
  it('keeps an upload in progress and its parts when the gateway restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-mp-restart-'));
    try {
      let gw = await startTestGateway({ dataDir });
      await gw.s3.send(new CreateBucketCommand({ Bucket: 'restart' }));
      const { UploadId } = await gw.s3.send(new CreateMultipartUploadCommand({ Bucket: 'restart', Key: 'k', ServerSideEncryption: 'aws:kms' }));
      const first = randomBytes(5 * MiB);
      const p1 = await gw.s3.send(new UploadPartCommand({ Bucket: 'restart', Key: 'k', UploadId, PartNumber: 1, Body: first }));
      await gw.stop();
      gw = await startTestGateway({ dataDir });
      try {
        const p2 = await gw.s3.send(new UploadPartCommand({ Bucket: 'restart', Key: 'k', UploadId, PartNumber: 2, Body: 'tail' }));
        await gw.s3.send(new CompleteMultipartUploadCommand({ Bucket: 'restart', Key: 'k', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }));
        const got = await bodyBytes((await gw.s3.send(new GetObjectCommand({ Bucket: 'restart', Key: 'k' }))).Body);
        expect(got.equals(Buffer.concat([first, Buffer.from('tail')]))).toBe(true);
        expect(await partFiles(dataDir)).toEqual([]);
      } finally {
        await gw.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
