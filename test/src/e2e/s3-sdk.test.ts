/**
 * PutObject / GetObject / HeadObject / DeleteObject and the fx.bucket operations through
 * @aws-sdk/client-s3 with its default settings (so flexible checksums, aws-chunked stream
 * uploads and all) against a real gateway.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { randomBytes, createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { bodyBytes, bucketName, errorOf, useGatewayWithBucket } from '../harness.js';
import { sha256Hex, signHeaders } from '../signing.js';

const fx = useGatewayWithBucket('sdk');

let keyId: string;
let keyArn: string;

beforeAll(async () => {
  const created = await fx.gw.kms.send(new CreateKeyCommand({ Description: 'sdk test key' }));
  keyId = created.KeyMetadata!.KeyId!;
  keyArn = created.KeyMetadata!.Arn!;
  await fx.gw.kms.send(new CreateAliasCommand({ AliasName: 'alias/sdk-test', TargetKeyId: keyId }));
});

describe('SSE-KMS objects through the JS SDK', () => {
  it('PUTs a Buffer and GETs it back with the key ARN on every response', async () => {
    const body = randomBytes(200_000);
    const put = await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'buffer.bin', Body: body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }));
    expect(put.ServerSideEncryption).toBe('aws:kms');
    expect(put.SSEKMSKeyId).toBe(keyArn);
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    // SSE-KMS ETags are opaque, not the MD5 of the data.
    expect(put.ETag).not.toBe(`"${createHash('md5').update(body).digest('hex')}"`);

    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'buffer.bin' }));
    expect(got.ServerSideEncryption).toBe('aws:kms');
    expect(got.SSEKMSKeyId).toBe(keyArn);
    expect(got.ETag).toBe(put.ETag);
    expect(got.ContentLength).toBe(body.length);
    expect((await bodyBytes(got.Body)).equals(body)).toBe(true);

    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'buffer.bin' }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(keyArn);
    expect(head.ContentLength).toBe(body.length);
    expect(head.ETag).toBe(put.ETag);
  });

  it('PUTs a stream (aws-chunked with a trailing checksum) and GETs it back', async () => {
    const body = randomBytes(3 * 65536 + 7);
    const put = await fx.gw.s3.send(
      new PutObjectCommand({ Bucket: fx.bucket, Key: 'dir/stream.bin', Body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]), ContentLength: body.length, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/sdk-test' }),
    );
    expect(put.SSEKMSKeyId).toBe(keyArn);
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'dir/stream.bin' }));
    expect((await bodyBytes(got.Body)).equals(body)).toBe(true);
  });

  it.each([
    ['key ARN', () => keyArn],
    ['alias name', () => 'alias/sdk-test'],
    ['alias ARN', () => `arn:aws:kms:${fx.gw.region}:${fx.gw.accountId}:alias/sdk-test`],
  ])('accepts the key as a %s and answers with the key ARN', async (_what, id) => {
    const put = await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'by-id', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: id() }));
    expect(put.SSEKMSKeyId).toBe(keyArn);
  });

  it('uses the AWS managed aws/s3 key when no key id is given', async () => {
    const put = await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'managed', Body: 'hello', ServerSideEncryption: 'aws:kms' }));
    expect(put.SSEKMSKeyId).toMatch(new RegExp(`^arn:aws:kms:${fx.gw.region}:${fx.gw.accountId}:key/[0-9a-f-]{36}$`));
    expect(put.SSEKMSKeyId).not.toBe(keyArn);
    const again = await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'managed2', Body: 'hello', ServerSideEncryption: 'aws:kms' }));
    expect(again.SSEKMSKeyId).toBe(put.SSEKMSKeyId);
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'managed' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('hello');
  });

  it('encrypts objects without SSE headers as SSE-S3 with an MD5 ETag', async () => {
    const body = Buffer.from('plain request, encrypted anyway');
    const put = await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'sse-s3', Body: body }));
    expect(put.ServerSideEncryption).toBe('AES256');
    expect(put.SSEKMSKeyId).toBeUndefined();
    expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'sse-s3' }));
    expect(head.ServerSideEncryption).toBe('AES256');
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'sse-s3' }));
    expect((await bodyBytes(got.Body)).equals(body)).toBe(true);
  });

  it('keeps content type and user metadata', async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'meta', Body: '{}', ContentType: 'application/json', Metadata: { colour: 'blue' }, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }));
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'meta' }));
    expect(head.ContentType).toBe('application/json');
    expect(head.Metadata).toEqual({ colour: 'blue' });
  });

  it('stores odd keys and an empty object', async () => {
    for (const key of ['../escape', 'a//b/../c', 'trailing/', 'sp ace+plus%', 'ünï/cødé ✓', 'x'.repeat(1024)]) {
      await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: key, Body: key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }));
      const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key }));
      expect((await bodyBytes(got.Body)).toString()).toBe(key);
    }
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'empty', Body: Buffer.alloc(0), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }));
    const empty = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'empty' }));
    expect((await bodyBytes(empty.Body)).length).toBe(0);
  });

  it('refuses a key over 1024 bytes', async () => {
    const err = await errorOf(fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'x'.repeat(1025), Body: 'x' })));
    expect(err.name).toBe('KeyTooLongError');
  });

  it('deletes objects, idempotently', async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'gone', Body: 'x' }));
    const del = await fx.gw.s3.send(new DeleteObjectCommand({ Bucket: fx.bucket, Key: 'gone' }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    expect((await errorOf(fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'gone' })))).name).toBe('NoSuchKey');
    expect((await fx.gw.s3.send(new DeleteObjectCommand({ Bucket: fx.bucket, Key: 'gone' }))).$metadata.httpStatusCode).toBe(204);
  });
});

describe('SSE errors as S3 sends them', () => {
  it('unknown key → 400 KMS.NotFoundException', async () => {
    const missing = await errorOf(fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: '0b7f3e8e-1111-4222-8333-444455556666' })));
    expect(missing).toMatchObject({ name: 'KMS.NotFoundException', status: 400 });
    expect(missing.message).toBe(`Key 'arn:aws:kms:${fx.gw.region}:${fx.gw.accountId}:key/0b7f3e8e-1111-4222-8333-444455556666' does not exist`);
    const invalid = await errorOf(fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'fake-key-id' })));
    expect(invalid).toMatchObject({ name: 'KMS.NotFoundException', status: 400, message: "Invalid keyId 'fake-key-id'" });
  });

  it('key id without aws:kms → 400 InvalidArgument', async () => {
    const err = await errorOf(fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'k', Body: 'x', SSEKMSKeyId: keyId })));
    expect(err).toMatchObject({ name: 'InvalidArgument', status: 400 });
  });

  it('malformed encryption context → 400', async () => {
    for (const context of ['not base64 json!', Buffer.from('[1,2]').toString('base64'), Buffer.from('{"a":1}').toString('base64')]) {
      const err = await errorOf(fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId, SSEKMSEncryptionContext: context })));
      expect(err).toMatchObject({ name: 'InvalidArgument', status: 400 });
    }
  });

  it('round-trips an object with a client encryption context', async () => {
    const context = Buffer.from(JSON.stringify({ department: 'finance', 'ünï': 'cødé' })).toString('base64');
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'ctx', Body: 'secret', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId, SSEKMSEncryptionContext: context }));
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'ctx' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('secret');
  });

  it('SSE headers on GET and HEAD → 400', async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'read-headers', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }));
    for (const method of ['GET', 'HEAD'] as const) {
      expect((await fetchWithSseHeader(method)).status).toBe(400);
    }
  });
});

/** Sends a signed GET/HEAD that carries an SSE header; returns the status. */
async function fetchWithSseHeader(method: 'GET' | 'HEAD'): Promise<{ status: number }> {
  const path = `/${fx.bucket}/read-headers`;
  const headers = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method, path, headers: { 'x-amz-server-side-encryption': 'aws:kms' } }, { payloadHash: sha256Hex('') });
  const res = await fetch(`${fx.gw.endpoint}${path}`, { method, headers });
  await res.arrayBuffer();
  return { status: res.status };
}

describe('buckets', () => {
  it('lists, heads and deletes buckets, with S3 errors', async () => {
    const name = bucketName('life');
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: name }));
    const list = await fx.gw.s3.send(new ListBucketsCommand({}));
    expect(list.Buckets!.map((b) => b.Name)).toContain(name);
    expect(list.Buckets!.find((b) => b.Name === name)!.CreationDate).toBeInstanceOf(Date);
    await fx.gw.s3.send(new HeadBucketCommand({ Bucket: name }));
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'x' }));
    expect(await errorOf(fx.gw.s3.send(new DeleteBucketCommand({ Bucket: name })))).toMatchObject({ name: 'BucketNotEmpty', status: 409 });
    await fx.gw.s3.send(new DeleteObjectCommand({ Bucket: name, Key: 'k' }));
    await fx.gw.s3.send(new DeleteBucketCommand({ Bucket: name }));
    expect((await errorOf(fx.gw.s3.send(new HeadBucketCommand({ Bucket: name })))).status).toBe(404);
    expect(await errorOf(fx.gw.s3.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'x' })))).toMatchObject({ name: 'NoSuchBucket', status: 404 });
  });

  it('refuses invalid fx.bucket names', async () => {
    expect(await errorOf(fx.gw.s3.send(new CreateBucketCommand({ Bucket: 'Not_Valid' })))).toMatchObject({ name: 'InvalidBucketName', status: 400 });
  });

  it('re-creating your own fx.bucket answers 200 in us-east-1, as S3 does', async () => {
    const name = bucketName('again');
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: name }));
    const again = await fx.gw.s3.send(new CreateBucketCommand({ Bucket: name }));
    expect(again.$metadata.httpStatusCode).toBe(200);
  });
});
