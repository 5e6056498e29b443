/**
 * Multipart checksums as S3 keeps them, through @aws-sdk/client-s3 and lib-storage against a
 * real gateway: FULL_OBJECT (the CRC of the whole object, no -N) and COMPOSITE (the checksum of
 * the part checksums, -N) with S3's default type per algorithm; the value on Complete, on
 * HEAD/GET with checksum mode (the SDK validates a FULL_OBJECT one against the bytes) and in
 * GetObjectAttributes; and a completion whose checksums disagree is refused with S3's error
 * and commits nothing. Expected values are computed here, from the bytes, independently.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectAttributesCommand, GetObjectCommand, HeadObjectCommand,
  ListMultipartUploadsCommand, UploadPartCommand, type ChecksumAlgorithm, type ChecksumType, type CompletedPart,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { bodyBytes, createKmsKey, errorOf, useGatewayWithBucket } from '../harness.js';

const MiB = 1024 * 1024;
const fx = useGatewayWithBucket('mpsum');
let kmsKey: { keyId: string };

beforeAll(async () => {
  kmsKey = await createKmsKey(fx.gw);
});

/** base64 of `algorithm` over `data`, by libraries other than the gateway's. */
async function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): Promise<string> {
  const u32 = (n: number): string => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(n >>> 0);
    return out.toString('base64');
  };
  switch (algorithm) {
    case 'CRC32':
      return u32(crc32(data));
    case 'CRC32C':
      return u32(new Crc32c().update(data).digest());
    case 'CRC64NVME': {
      const crc = new Crc64Nvme();
      crc.update(data);
      return Buffer.from(await crc.digest()).toString('base64');
    }
    default:
      return createHash(algorithm.toLowerCase()).update(data).digest('base64');
  }
}

async function composite(algorithm: ChecksumAlgorithm, parts: Buffer[]): Promise<string> {
  const partValues = await Promise.all(parts.map((p) => checksumOf(algorithm, p)));
  const joined = Buffer.concat(partValues.map((v) => Buffer.from(v, 'base64')));
  return `${await checksumOf(algorithm, joined)}-${parts.length}`;
}

type ChecksumField = `Checksum${ChecksumAlgorithm}`;
const field = (algorithm: ChecksumAlgorithm): ChecksumField => `Checksum${algorithm}` as ChecksumField;

/** Creates an upload with `algorithm` (and `type`, else S3's default) and uploads `bodies` as parts 1..n. */
async function uploadParts(key: string, algorithm: ChecksumAlgorithm, bodies: Buffer[], type?: ChecksumType): Promise<{ uploadId: string; parts: CompletedPart[]; type?: string }> {
  const created = await fx.gw.s3.send(new CreateMultipartUploadCommand({
    Bucket: fx.bucket, Key: key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey.keyId, ChecksumAlgorithm: algorithm, ChecksumType: type,
  }));
  const parts: CompletedPart[] = [];
  for (const [i, body] of bodies.entries()) {
    const out = await fx.gw.s3.send(new UploadPartCommand({ Bucket: fx.bucket, Key: key, UploadId: created.UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: algorithm }));
    parts.push({ PartNumber: i + 1, ETag: out.ETag, [field(algorithm)]: out[field(algorithm)] });
  }
  return { uploadId: created.UploadId!, parts, type: created.ChecksumType };
}

function complete(key: string, uploadId: string, parts: CompletedPart[], extra: Partial<ConstructorParameters<typeof CompleteMultipartUploadCommand>[0]> = {}) {
  return fx.gw.s3.send(new CompleteMultipartUploadCommand({ Bucket: fx.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts }, ...extra }));
}

const bodies = [randomBytes(5 * MiB + 3), randomBytes(777)];
const whole = Buffer.concat(bodies);

describe('FULL_OBJECT and COMPOSITE multipart checksums', () => {
  const cases: { algorithm: ChecksumAlgorithm; type?: ChecksumType; expected: ChecksumType }[] = [
    { algorithm: 'CRC64NVME', expected: 'FULL_OBJECT' },
    { algorithm: 'CRC32', type: 'FULL_OBJECT', expected: 'FULL_OBJECT' },
    { algorithm: 'CRC32C', type: 'FULL_OBJECT', expected: 'FULL_OBJECT' },
    { algorithm: 'CRC32', expected: 'COMPOSITE' },
    { algorithm: 'CRC32C', expected: 'COMPOSITE' },
    { algorithm: 'SHA1', expected: 'COMPOSITE' },
    { algorithm: 'SHA256', expected: 'COMPOSITE' },
  ];

  it.each(cases)('$algorithm as $expected: on Complete, HEAD/GET with checksum mode, and GetObjectAttributes', async ({ algorithm, type, expected }) => {
    const key = `sum/${algorithm}-${expected}`;
    const upload = await uploadParts(key, algorithm, bodies, type);
    expect(upload.type).toBe(expected);
    const value = expected === 'FULL_OBJECT' ? await checksumOf(algorithm, whole) : await composite(algorithm, bodies);
    const done = await complete(key, upload.uploadId, upload.parts);
    expect([done[field(algorithm)], done.ChecksumType]).toEqual([value, expected]);

    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key, ChecksumMode: 'ENABLED' }));
    expect([head[field(algorithm)], head.ChecksumType]).toEqual([value, expected]);
    // The SDK checks a FULL_OBJECT value against the bytes it reads (and skips a -N one).
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key, ChecksumMode: 'ENABLED' }));
    expect([got[field(algorithm)], got.ChecksumType]).toEqual([value, expected]);
    expect((await bodyBytes(got.Body)).equals(whole)).toBe(true);

    const attributes = await fx.gw.s3.send(new GetObjectAttributesCommand({ Bucket: fx.bucket, Key: key, ObjectAttributes: ['Checksum', 'ObjectParts'] }));
    expect(attributes.Checksum).toEqual({ [field(algorithm)]: value.replace(/-\d+$/, ''), ChecksumType: expected });
    // Parts are named by a COMPOSITE checksum only; a FULL_OBJECT one describes the whole.
    const partValues = await Promise.all(bodies.map((b) => checksumOf(algorithm, b)));
    expect(attributes.ObjectParts?.Parts?.map((p) => p[field(algorithm)])).toEqual(expected === 'COMPOSITE' ? partValues : bodies.map(() => undefined));
  });

  it('is a FULL_OBJECT CRC that lib-storage Upload and the SDK GET accept, whatever the client sent per part', async () => {
    const key = 'sum/lib-storage';
    const upload = new Upload({
      client: fx.gw.s3,
      params: { Bucket: fx.bucket, Key: key, Body: whole, ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' },
      partSize: 5 * MiB,
    });
    const done = await upload.done();
    expect(done.ChecksumCRC32).toBe(await checksumOf('CRC32', whole));
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key, ChecksumMode: 'ENABLED' }));
    expect((await bodyBytes(got.Body)).equals(whole)).toBe(true);
    expect([got.ChecksumCRC32, got.ChecksumType]).toEqual([done.ChecksumCRC32, 'FULL_OBJECT']);
  });
});

describe('checksums sent on CompleteMultipartUpload', () => {
  /** The refused completion left no object and the upload still in progress. */
  async function nothingCommitted(key: string, uploadId: string): Promise<void> {
    expect((await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key })))).status).toBe(404);
    const uploads = await fx.gw.s3.send(new ListMultipartUploadsCommand({ Bucket: fx.bucket, Prefix: key }));
    expect(uploads.Uploads?.map((u) => u.UploadId)).toEqual([uploadId]);
  }

  it('checks a FULL_OBJECT whole-object checksum header: BadDigest on a mismatch, nothing committed', async () => {
    const key = 'sent/full';
    const { uploadId, parts } = await uploadParts(key, 'CRC32', bodies, 'FULL_OBJECT');
    const expected = await checksumOf('CRC32', whole);
    const wrong = await errorOf(complete(key, uploadId, parts, { ChecksumCRC32: await checksumOf('CRC32', bodies[0]), ChecksumType: 'FULL_OBJECT' }));
    expect([wrong.name, wrong.status, wrong.message]).toEqual(['BadDigest', 400, 'The crc32 you specified did not match the calculated checksum.']);
    await nothingCommitted(key, uploadId);
    const otherType = await errorOf(complete(key, uploadId, parts, { ChecksumType: 'COMPOSITE' }));
    expect([otherType.name, otherType.status]).toEqual(['BadDigest', 400]);
    const otherAlgorithm = await errorOf(complete(key, uploadId, parts, { ChecksumSHA256: await checksumOf('SHA256', whole) }));
    expect([otherAlgorithm.name, otherAlgorithm.message]).toEqual(['InvalidRequest', 'Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: sha256']);
    await nothingCommitted(key, uploadId);
    // FULL_OBJECT needs no part checksums in the list; the right whole-object value completes.
    const done = await complete(key, uploadId, parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })), { ChecksumCRC32: expected, ChecksumType: 'FULL_OBJECT' });
    expect(done.ChecksumCRC32).toBe(expected);
  });

  it('checks each listed part checksum and a COMPOSITE whole-object one, committing nothing on a mismatch', async () => {
    const key = 'sent/composite';
    const { uploadId, parts } = await uploadParts(key, 'SHA256', bodies);
    const swapped = parts.map((p, i) => ({ ...p, ChecksumSHA256: parts[1 - i].ChecksumSHA256 }));
    const badPart = await errorOf(complete(key, uploadId, swapped));
    expect([badPart.name, badPart.status]).toEqual(['InvalidPart', 400]);
    await nothingCommitted(key, uploadId);
    const otherPartAlgorithm = await errorOf(complete(key, uploadId, parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag, ChecksumCRC32: 'AAAAAA==' }))));
    expect([otherPartAlgorithm.name, otherPartAlgorithm.message]).toEqual(['BadDigest', 'The crc32 you specified for part 1 did not match what we received.']);
    const value = await composite('SHA256', bodies);
    const wrongWhole = await errorOf(complete(key, uploadId, parts, { ChecksumSHA256: await checksumOf('SHA256', whole) }));
    expect([wrongWhole.name, wrongWhole.message]).toEqual(['BadDigest', 'The sha256 you specified did not match the calculated checksum.']);
    await nothingCommitted(key, uploadId);
    const done = await complete(key, uploadId, parts, { ChecksumSHA256: value.replace(/-2$/, '') });
    expect(done.ChecksumSHA256).toBe(value);
  });

  it('refuses part checksums listed for an upload created without one', async () => {
    const key = 'sent/none';
    const created = await fx.gw.s3.send(new CreateMultipartUploadCommand({ Bucket: fx.bucket, Key: key }));
    const out = await fx.gw.s3.send(new UploadPartCommand({ Bucket: fx.bucket, Key: key, UploadId: created.UploadId, PartNumber: 1, Body: bodies[1] }));
    const refused = await errorOf(complete(key, created.UploadId!, [{ PartNumber: 1, ETag: out.ETag, ChecksumCRC32: await checksumOf('CRC32', bodies[1]) }]));
    expect(refused.name).toBe('InvalidPart');
    await nothingCommitted(key, created.UploadId!);
  });
});
