/**
 * CopyObject against a real gateway: @aws-sdk/client-s3 with default settings, raw requests
 * through supertest, boto3 and the AWS CLI. The destination is re-encrypted under its own SSE
 * settings and its own context; the source is authenticated as it streams.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import request from 'supertest';
import {
  CopyObjectCommand, CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutBucketEncryptionCommand, PutObjectCommand,
  type CopyObjectCommandInput, type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { bodyBytes, bucketName, createKmsKey, errorOf, useGatewayWithBucket } from '../harness.js';
import { findObjectFiles, gatewayRecordIn } from '../disk.js';
import { sha256Hex, signHeaders } from '../signing.js';
import { childText, readXml, s3ErrorOf } from '../xml.js';

const fx = useGatewayWithBucket('copy');
const run = promisify(execFile);
const MiB = 1024 * 1024;
const SEGMENT = 65536;

let other: string;
let keyA: { keyId: string; keyArn: string };
let keyB: { keyId: string; keyArn: string };

beforeAll(async () => {
  other = bucketName('copy-other');
  await fx.gw.s3.send(new CreateBucketCommand({ Bucket: other }));
  keyA = await createKmsKey(fx.gw);
  keyB = await createKmsKey(fx.gw);
});

const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

async function put(key: string, body: Buffer | string, extra: Partial<PutObjectCommandInput> = {}, bucket = fx.bucket): Promise<void> {
  await fx.gw.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }));
}

function copy(input: Partial<CopyObjectCommandInput> & { Key: string; CopySource: string }, bucket = fx.bucket) {
  return fx.gw.s3.send(new CopyObjectCommand({ Bucket: bucket, ...input }));
}

async function get(key: string, bucket = fx.bucket): Promise<Buffer> {
  return bodyBytes((await fx.gw.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body);
}

function head(key: string, bucket = fx.bucket) {
  return fx.gw.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

/** The stored record of an object, read from disk. */
async function recordOf(bucket: string, key: string): Promise<{ encryptionContext: Record<string, string>; wrappedDek: string; headerSha256: string }> {
  const { recordPath } = await findObjectFiles(fx.gw.dataDir, bucket, key);
  return gatewayRecordIn(recordPath);
}

describe('encryption of the destination (never inherited from the source)', () => {
  it('SSE-KMS → SSE-S3 in another bucket: the destination bucket default, ETag = MD5', async () => {
    const body = randomBytes(3 * SEGMENT + 5);
    const context = Buffer.from(JSON.stringify({ project: 'alpha' })).toString('base64');
    await put('kms-src', body, { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyA.keyId, SSEKMSEncryptionContext: context });
    const out = await copy({ Key: 'from-kms', CopySource: `${fx.bucket}/kms-src` }, other);
    expect(out.ServerSideEncryption).toBe('AES256');
    expect(out.SSEKMSKeyId).toBeUndefined();
    expect(out.CopySourceVersionId).toBeUndefined();
    expect(out.CopyObjectResult?.ETag).toBe(`"${md5(body)}"`);
    const h = await head('from-kms', other);
    expect(h.ServerSideEncryption).toBe('AES256');
    expect(h.ETag).toBe(`"${md5(body)}"`);
    expect(h.LastModified?.toISOString().slice(0, 19)).toBe(out.CopyObjectResult?.LastModified?.toISOString().slice(0, 19));
    expect((await get('from-kms', other)).equals(body)).toBe(true);
    expect((await recordOf(other, 'from-kms')).encryptionContext).toEqual({ 'aws:s3:arn': `arn:aws:s3:::${other}/from-kms` });
  });

  it('SSE-S3 → SSE-KMS with the headers of the request: key ARN, its own context, an opaque ETag', async () => {
    const body = randomBytes(SEGMENT + 1);
    await put('s3-src', body);
    const context = Buffer.from(JSON.stringify({ team: 'beta' })).toString('base64');
    const out = await copy({ Key: 'to-kms', CopySource: `${fx.bucket}/s3-src`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyB.keyId, SSEKMSEncryptionContext: context }, other);
    expect(out.ServerSideEncryption).toBe('aws:kms');
    expect(out.SSEKMSKeyId).toBe(keyB.keyArn);
    expect(out.SSEKMSEncryptionContext).toBe(context);
    expect(out.CopyObjectResult?.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(out.CopyObjectResult?.ETag).not.toBe(`"${md5(body)}"`);
    const h = await head('to-kms', other);
    expect(h.SSEKMSKeyId).toBe(keyB.keyArn);
    expect(h.ETag).toBe(out.CopyObjectResult?.ETag);
    expect((await get('to-kms', other)).equals(body)).toBe(true);
    expect((await recordOf(other, 'to-kms')).encryptionContext).toEqual({ team: 'beta', 'aws:s3:arn': `arn:aws:s3:::${other}/to-kms` });
  });

  it('takes the destination bucket default (SSE-KMS) when the request names no encryption', async () => {
    const bucket = bucketName('copy-kms-default');
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await fx.gw.s3.send(new PutBucketEncryptionCommand({
      Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyB.keyId } }] },
    }));
    await put('plain-src', 'default me');
    const out = await copy({ Key: 'defaulted', CopySource: `${fx.bucket}/plain-src` }, bucket);
    expect(out.ServerSideEncryption).toBe('aws:kms');
    expect(out.SSEKMSKeyId).toBe(keyB.keyArn);
    expect((await get('defaulted', bucket)).toString()).toBe('default me');
  });

  it('a new data key for every copy, also between two keys of one bucket', async () => {
    await put('dek-src', 'same bytes', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyA.keyId });
    await copy({ Key: 'dek-dest', CopySource: `${fx.bucket}/dek-src`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyA.keyId });
    const [src, dest] = [await recordOf(fx.bucket, 'dek-src'), await recordOf(fx.bucket, 'dek-dest')];
    expect(dest.wrappedDek).not.toBe(src.wrappedDek);
    expect(dest.headerSha256).not.toBe(src.headerSha256);
  });

  it.each([
    ['SSE-KMS → SSE-S3', { ServerSideEncryption: 'aws:kms' as const }, {}],
    ['SSE-S3 → SSE-KMS', {}, { ServerSideEncryption: 'aws:kms' as const }],
  ])('copies a 0-byte object, %s', async (_name, source, dest) => {
    const key = `empty-${Object.keys(source).length}`;
    await put(key, Buffer.alloc(0), { ...source, ...('ServerSideEncryption' in source ? { SSEKMSKeyId: keyA.keyId } : {}) });
    const out = await copy({ Key: `${key}-copy`, CopySource: `${fx.bucket}/${key}`, ...dest, ...('ServerSideEncryption' in dest ? { SSEKMSKeyId: keyB.keyId } : {}) }, other);
    expect(out.ServerSideEncryption).toBe('ServerSideEncryption' in dest ? 'aws:kms' : 'AES256');
    expect((await head(`${key}-copy`, other)).ContentLength).toBe(0);
    expect((await get(`${key}-copy`, other)).length).toBe(0);
  });

  it('copies a 16 MiB object SSE-KMS → SSE-S3 → SSE-KMS between buckets', async () => {
    const body = randomBytes(16 * MiB);
    await put('big', body, { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyA.keyId });
    const first = await copy({ Key: 'big-s3', CopySource: `${fx.bucket}/big` }, other);
    expect(first.CopyObjectResult?.ETag).toBe(`"${md5(body)}"`);
    const second = await copy({ Key: 'big-kms', CopySource: `/${other}/big-s3`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyB.keyArn });
    expect(second.SSEKMSKeyId).toBe(keyB.keyArn);
    expect(sha256Hex(await get('big-kms'))).toBe(sha256Hex(body));
  });
});

describe('metadata directive', () => {
  beforeAll(async () => {
    await put('meta-src', 'with metadata', { ContentType: 'text/markdown', Metadata: { colour: 'blue', note: 'kept' } });
  });

  it('COPY (the default) keeps the content type and user metadata, and ignores the request\'s', async () => {
    await copy({ Key: 'meta-copy', CopySource: `${fx.bucket}/meta-src`, ContentType: 'text/plain', Metadata: { colour: 'red' } }, other);
    const h = await head('meta-copy', other);
    expect(h.ContentType).toBe('text/markdown');
    expect(h.Metadata).toEqual({ colour: 'blue', note: 'kept' });
  });

  it('REPLACE takes them from the request (no content type: binary/octet-stream)', async () => {
    await copy({ Key: 'meta-replaced', CopySource: `${fx.bucket}/meta-src`, MetadataDirective: 'REPLACE', Metadata: { shape: 'round' } }, other);
    const h = await head('meta-replaced', other);
    expect(h.ContentType).toBe('binary/octet-stream');
    expect(h.Metadata).toEqual({ shape: 'round' });
  });

  it('anything else is InvalidArgument', async () => {
    const err = await errorOf(copy({ Key: 'x', CopySource: `${fx.bucket}/meta-src`, MetadataDirective: 'MERGE' as 'COPY' }));
    expect([err.name, err.status, err.message]).toEqual(['InvalidArgument', 400, 'Unknown metadata directive.']);
  });
});

describe('copy onto itself', () => {
  const SELF = "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.";

  it('without a change is InvalidRequest', async () => {
    await put('self', 'me');
    const err = await errorOf(copy({ Key: 'self', CopySource: `${fx.bucket}/self` }));
    expect([err.name, err.status, err.message]).toEqual(['InvalidRequest', 400, SELF]);
  });

  it('with new metadata, new encryption or a new key it re-encrypts in place', async () => {
    await put('self-ok', 'me too', { Metadata: { v: '1' } });
    await copy({ Key: 'self-ok', CopySource: `${fx.bucket}/self-ok`, MetadataDirective: 'REPLACE', Metadata: { v: '2' } });
    expect((await head('self-ok')).Metadata).toEqual({ v: '2' });
    const toKms = await copy({ Key: 'self-ok', CopySource: `${fx.bucket}/self-ok`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyA.keyId });
    expect(toKms.SSEKMSKeyId).toBe(keyA.keyArn);
    const toOtherKey = await copy({ Key: 'self-ok', CopySource: `${fx.bucket}/self-ok`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyB.keyId });
    expect(toOtherKey.SSEKMSKeyId).toBe(keyB.keyArn);
    const h = await head('self-ok');
    expect([h.ServerSideEncryption, h.SSEKMSKeyId, h.Metadata]).toEqual(['aws:kms', keyB.keyArn, { v: '2' }]);
    expect((await get('self-ok')).toString()).toBe('me too');
  });
});

describe('x-amz-copy-source', () => {
  const key = 'dir/a b+c?d%€.txt';

  beforeAll(async () => {
    await put(key, 'awkward name');
  });

  it.each([
    ['URL-encoded', () => `${fx.bucket}/${encodeURIComponent(key)}`],
    ['with a leading slash', () => `/${fx.bucket}/${encodeURIComponent(key)}`],
    ['slashes left as they are', () => `${fx.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`],
    ['versionId=null', () => `${fx.bucket}/${encodeURIComponent(key)}?versionId=null`],
  ])('names the source %s', async (_how, source) => {
    await copy({ Key: 'named', CopySource: source() }, other);
    expect((await get('named', other)).toString()).toBe('awkward name');
  });

  it('refuses another version id, a missing key, a missing object and a missing bucket', async () => {
    const version = await errorOf(copy({ Key: 'x', CopySource: `${fx.bucket}/${encodeURIComponent(key)}?versionId=3HL4kqtJlcpXroDTDmJ` }));
    expect([version.name, version.status, version.message]).toEqual(['InvalidArgument', 400, 'Invalid version id specified']);
    const noKey = await errorOf(copy({ Key: 'x', CopySource: fx.bucket }));
    expect([noKey.name, noKey.status, noKey.message]).toEqual(['InvalidArgument', 400, 'Invalid copy source object key']);
    expect((await errorOf(copy({ Key: 'x', CopySource: `${fx.bucket}/no-such-key` }))).name).toBe('NoSuchKey');
    expect((await errorOf(copy({ Key: 'x', CopySource: `${bucketName('missing')}/k` }))).name).toBe('NoSuchBucket');
    expect((await errorOf(copy({ Key: 'x', CopySource: `${fx.bucket}/k` }, bucketName('missing')))).name).toBe('NoSuchBucket');
    expect((await errorOf(head('x'))).name).toBe('NotFound');
  });
});

describe('x-amz-copy-source-if-*', () => {
  let etag: string;
  let lastModified: Date;

  beforeAll(async () => {
    await put('cond', 'data');
    const h = await head('cond');
    etag = h.ETag!;
    lastModified = h.LastModified!;
  });

  /** A raw copy with the given headers: status and the Condition of the error document. */
  async function rawCopy(headers: Record<string, string>): Promise<{ status: number; condition?: string; code?: string }> {
    const path = `/${other}/cond-copy`;
    const signed = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, {
      method: 'PUT', path, headers: { 'x-amz-copy-source': `/${fx.bucket}/cond`, ...headers },
    }, { payloadHash: sha256Hex('') });
    const res = await request(fx.gw.endpoint).put(path).set(signed);
    return { status: res.status, code: s3ErrorOf(res.text).code, condition: res.status === 200 ? undefined : childText(readXml(res.text), 'Condition') };
  }

  it('fails with 412 naming each header, in the order S3 checks them', async () => {
    const wrongUnmodified = new Date(lastModified.getTime() - 86_400_000).toUTCString();
    const all = {
      'x-amz-copy-source-if-modified-since': lastModified.toUTCString(),
      'x-amz-copy-source-if-unmodified-since': wrongUnmodified,
      'x-amz-copy-source-if-match': '"etag123"',
      'x-amz-copy-source-if-none-match': etag,
    };
    expect(await rawCopy(all)).toEqual({ status: 412, code: 'PreconditionFailed', condition: 'x-amz-copy-source-If-Match' });
    const { 'x-amz-copy-source-if-match': _m, ...two } = all;
    expect(await rawCopy(two)).toEqual({ status: 412, code: 'PreconditionFailed', condition: 'x-amz-copy-source-If-Unmodified-Since' });
    const { 'x-amz-copy-source-if-unmodified-since': _u, ...three } = two;
    expect(await rawCopy(three)).toEqual({ status: 412, code: 'PreconditionFailed', condition: 'x-amz-copy-source-If-None-Match' });
    expect(await rawCopy({ 'x-amz-copy-source-if-modified-since': lastModified.toUTCString() })).toEqual({ status: 412, code: 'PreconditionFailed', condition: 'x-amz-copy-source-If-Modified-Since' });
    expect(await rawCopy({ 'x-amz-copy-source-if-none-match': etag.replace(/"/g, '') })).toMatchObject({ status: 412, condition: 'x-amz-copy-source-If-None-Match' });
    expect((await errorOf(head('cond-copy', other))).name).toBe('NotFound');
  });

  it('copies when they all hold, and ignores an If-Modified-Since in the future', async () => {
    expect((await rawCopy({ 'x-amz-copy-source-if-modified-since': new Date(Date.now() + 86_400_000).toUTCString() })).status).toBe(200);
    const out = await copy({
      Key: 'cond-ok', CopySource: `${fx.bucket}/cond`, CopySourceIfMatch: etag.replace(/"/g, ''), CopySourceIfNoneMatch: 'etag123',
      CopySourceIfModifiedSince: new Date(lastModified.getTime() - 86_400_000), CopySourceIfUnmodifiedSince: new Date(Date.now() + 1000),
    }, other);
    expect(out.CopyObjectResult?.ETag).toBe(etag);
  });

  it('the SDK sees PreconditionFailed', async () => {
    const err = await errorOf(copy({ Key: 'cond-sdk', CopySource: `${fx.bucket}/cond`, CopySourceIfMatch: '"nope"' }, other));
    expect([err.name, err.status]).toEqual(['PreconditionFailed', 412]);
  });
});

describe('the raw answer', () => {
  it('is a CopyObjectResult with a quoted ETag, an ISO LastModified, the stored checksum and the SSE headers', async () => {
    // The SDK's default settings send a CRC32 with the PUT, and the gateway stores it.
    await put('raw-src', 'checksummed', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyA.keyId });
    const sourceHead = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'raw-src', ChecksumMode: 'ENABLED' }));
    expect(sourceHead.ChecksumCRC32).toBeDefined();
    const path = `/${other}/raw-dest`;
    const signed = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, {
      method: 'PUT', path, headers: { 'x-amz-copy-source': `/${fx.bucket}/raw-src`, 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': keyB.keyId },
    }, { payloadHash: sha256Hex('') });
    const res = await request(fx.gw.endpoint).put(path).set(signed);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml');
    expect(res.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(res.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(keyB.keyArn);
    expect(res.headers['x-amz-copy-source-version-id']).toBeUndefined();
    expect(res.headers.etag).toBeUndefined();
    const doc = readXml(res.text);
    expect(doc.name).toBe('CopyObjectResult');
    expect(doc.children.map((c) => c.name)).toEqual(['ETag', 'LastModified', 'ChecksumCRC32']);
    expect(childText(doc, 'ETag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(childText(doc, 'LastModified')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(childText(doc, 'ChecksumCRC32')).toBe(sourceHead.ChecksumCRC32);
    const destHead = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: other, Key: 'raw-dest', ChecksumMode: 'ENABLED' }));
    expect(destHead.ChecksumCRC32).toBe(sourceHead.ChecksumCRC32);
    expect(destHead.ETag).toBe(childText(doc, 'ETag'));
  });

  it('refuses a copy-source header that is not signed, and copies nothing', async () => {
    await put('unsigned-src', 'secret');
    const path = `/${other}/unsigned-dest`;
    const signed = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'PUT', path, headers: {} }, { payloadHash: sha256Hex('') });
    const res = await request(fx.gw.endpoint).put(path).set({ ...signed, 'x-amz-copy-source': `/${fx.bucket}/unsigned-src` });
    expect(res.status).toBe(403);
    expect(s3ErrorOf(res.text)).toEqual({ code: 'AccessDenied', message: 'There were headers present in the request which were not signed' });
    expect(childText(readXml(res.text), 'HeadersNotSigned')).toBe('x-amz-copy-source');
    expect((await errorOf(head('unsigned-dest', other))).name).toBe('NotFound');
  });
});

describe('a source that fails authentication', () => {
  it('part-way through is a 500 and leaves the destination as it was', async () => {
    const body = randomBytes(4 * SEGMENT);
    await put('tampered', body, { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyA.keyId });
    await put('victim', 'still here', {}, other);
    const { dataPath } = await findObjectFiles(fx.gw.dataDir, fx.bucket, 'tampered');
    const bytes = await readFile(dataPath);
    bytes[96 + 3 * (SEGMENT + 16) + 7] ^= 1;
    await writeFile(dataPath, bytes);
    const err = await errorOf(copy({ Key: 'victim', CopySource: `${fx.bucket}/tampered` }, other));
    expect([err.name, err.status]).toEqual(['InternalError', 500]);
    expect((await get('victim', other)).toString()).toBe('still here');
  });

  it('in its first segment is a 500 and writes nothing', async () => {
    await put('bad-start', randomBytes(100));
    // A small object: its stored bytes sit inside its record, from dataOffset on.
    const { dataPath, dataOffset } = await findObjectFiles(fx.gw.dataDir, fx.bucket, 'bad-start');
    const bytes = await readFile(dataPath);
    bytes[dataOffset + 100] ^= 1;
    await writeFile(dataPath, bytes);
    const err = await errorOf(copy({ Key: 'never', CopySource: `${fx.bucket}/bad-start` }, other));
    expect([err.name, err.status]).toEqual(['InternalError', 500]);
    expect((await errorOf(head('never', other))).name).toBe('NotFound');
  });
});

describe('other clients', () => {
  it('boto3 copy_object with SSE-KMS', async () => {
    await put('boto-src', 'from boto3', { Metadata: { by: 'python' } });
    const script = [
      'import boto3, json, os',
      'from botocore.config import Config',
      "s3 = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'], region_name=os.environ['AWS_DEFAULT_REGION'], config=Config(s3={'addressing_style': 'path'}))",
      "out = s3.copy_object(Bucket=os.environ['DEST'], Key='boto copy', CopySource={'Bucket': os.environ['BUCKET'], 'Key': 'boto-src'}, ServerSideEncryption='aws:kms', SSEKMSKeyId=os.environ['KEY'])",
      "print(json.dumps({'ETag': out['CopyObjectResult']['ETag'], 'SSE': out['ServerSideEncryption'], 'KeyId': out['SSEKMSKeyId']}))",
    ].join('\n');
    const { stdout } = await run('/usr/bin/python3', ['-c', script], { env: { ...fx.gw.env, ENDPOINT: fx.gw.endpoint, BUCKET: fx.bucket, DEST: other, KEY: keyA.keyId } });
    const out = JSON.parse(stdout) as { ETag: string; SSE: string; KeyId: string };
    expect(out).toMatchObject({ SSE: 'aws:kms', KeyId: keyA.keyArn });
    const h = await head('boto copy', other);
    expect([h.ETag, h.Metadata]).toEqual([out.ETag, { by: 'python' }]);
    expect((await get('boto copy', other)).toString()).toBe('from boto3');
  });

  it('aws s3api copy-object', async () => {
    await put('cli-src', 'from the cli', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyA.keyId });
    await writeFile(fx.gw.env.AWS_CONFIG_FILE!, '[default]\ns3 =\n  addressing_style = path\n');
    const { stdout } = await run('/usr/bin/aws', [
      '--endpoint-url', fx.gw.endpoint, 's3api', 'copy-object', '--bucket', other, '--key', 'cli copy', '--copy-source', `${fx.bucket}/cli-src`,
    ], { env: fx.gw.env });
    const out = JSON.parse(stdout) as { ServerSideEncryption: string; CopyObjectResult: { ETag: string } };
    expect(out.ServerSideEncryption).toBe('AES256');
    expect(out.CopyObjectResult.ETag).toBe(`"${md5(Buffer.from('from the cli'))}"`);
    expect((await get('cli copy', other)).toString()).toBe('from the cli');
  });
});
