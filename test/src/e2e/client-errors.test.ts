/**
 * The client's mistakes are 4xx and checked from the request line and headers before any body
 * byte is read: raw sockets that send headers with a large Content-Length and never a body
 * still get their answer. Error documents stay well-formed for botocore and the JS SDK.
 */
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import request from 'supertest';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { errorOf, useGatewayWithBucket } from '../harness.js';
import { sha256Hex, signer, signHeaders, signKmsHeaders } from '../signing.js';

const fx = useGatewayWithBucket('err');

function errorCode(text: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
}

/**
 * Sends a signed request's head, claiming a 1 MiB body that never comes, and returns the whole
 * response. Resolving at all proves the answer needed no body byte.
 */
async function answerWithoutBody(method: string, path: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const withLength = { ...headers, 'content-length': String(1024 * 1024) };
  const signed = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method, path, headers: withLength }, { payloadHash: 'UNSIGNED-PAYLOAD' });
  const url = new URL(fx.gw.endpoint);
  const head = [`${method} ${path} HTTP/1.1`, ...Object.entries(signed).map(([name, value]) => `${name}: ${value}`), '', ''].join('\r\n');
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(received));
    socket.write(head, 'latin1');
  });
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
  return { status, text: Buffer.from(raw.slice(raw.indexOf('\r\n\r\n') + 4), 'latin1').toString('utf8') };
}

const SSE_C_ALGORITHM = 'x-amz-server-side-encryption-customer-algorithm';
const SSE_C_KEY = 'x-amz-server-side-encryption-customer-key';
const SSE_C_KEY_MD5 = 'x-amz-server-side-encryption-customer-key-md5';

function customerKey(key: Buffer): Record<string, string> {
  return { [SSE_C_ALGORITHM]: 'AES256', [SSE_C_KEY]: key.toString('base64'), [SSE_C_KEY_MD5]: createHash('md5').update(key).digest('base64') };
}

describe('answered from the headers, before any body byte is read', () => {
  it.each([
    ['an unknown storage class', { 'x-amz-storage-class': 'NOPE' }, 400, 'InvalidStorageClass'],
    ['metadata over 2 KB', { 'x-amz-meta-big': 'v'.repeat(2046) }, 400, 'MetadataTooLarge'],
    ['SSE-C beside aws:kms', { ...customerKey(Buffer.alloc(32, 1)), 'x-amz-server-side-encryption': 'aws:kms' }, 400, 'InvalidArgument'],
    ['a 128-bit SSE-C key', customerKey(Buffer.alloc(16, 1)), 400, 'InvalidArgument'],
    ['an SSE-C key MD5 of another key', { ...customerKey(Buffer.alloc(32, 1)), [SSE_C_KEY_MD5]: customerKey(Buffer.alloc(32, 2))[SSE_C_KEY_MD5]! }, 400, 'InvalidArgument'],
    ['a well-formed SSE-C write', customerKey(Buffer.alloc(32, 1)), 501, 'NotImplemented'],
    ['a KMS key id over 2048 characters', { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'k'.repeat(2049) }, 400, 'KMS.ValidationException'],
  ])('%s', async (_name, headers, status, code) => {
    const res = await answerWithoutBody('PUT', `/${fx.bucket}/early`, headers);
    expect(res.status).toBe(status);
    expect(errorCode(res.text)).toBe(code);
  });

  it('checks SSE-C before whether the bucket exists', async () => {
    const res = await answerWithoutBody('PUT', '/no-such-bucket-here/k', customerKey(Buffer.alloc(8, 1)));
    expect(res.status).toBe(400);
    expect(res.text).toContain('The secret key was invalid for the specified algorithm.');
  });

  it('stores nothing for a refused storage class', async () => {
    const err = await errorOf(fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'classy', Body: 'x', StorageClass: 'NOPE' as 'STANDARD' })));
    expect(err).toMatchObject({ name: 'InvalidStorageClass', status: 400 });
    expect(await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'classy' })))).toMatchObject({ status: 404 });
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'classy', Body: 'x', StorageClass: 'STANDARD_IA' }));
  });
});

describe('KMS exceptions inside S3 requests', () => {
  it('a key id over 2048 characters is a 400 the SDK does not retry', async () => {
    let caught: { name?: string; $metadata?: { httpStatusCode?: number; attempts?: number } } | undefined;
    try {
      await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'long-key-id', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'k'.repeat(2049) }));
    } catch (err) {
      caught = err as typeof caught;
    }
    expect(caught?.name).toBe('KMS.ValidationException');
    expect(caught?.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
  });
});

describe('user metadata', () => {
  it('drops a nameless x-amz-meta- entry, as S3 does, instead of failing the upload', async () => {
    const path = `/${fx.bucket}/nameless-meta`;
    const headers = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'PUT', path, headers: { 'x-amz-meta-': 'nobody', 'x-amz-meta-kept': 'yes', 'content-length': '5' } }, { payloadHash: 'UNSIGNED-PAYLOAD' });
    const res = await request(fx.gw.endpoint).put(path).set(headers).send('hello');
    expect(res.status).toBe(200);
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'nameless-meta' }));
    expect(head.Metadata).toEqual({ kept: 'yes' });
  });
});

describe('bucket names storage cannot hold', () => {
  async function signed(method: string, path: string): Promise<request.Response> {
    const headers = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method, path, headers: {} }, { payloadHash: 'UNSIGNED-PAYLOAD' });
    return request(fx.gw.endpoint)[method.toLowerCase() as 'get' | 'put'](path).set(headers);
  }

  it('InvalidBucketName on create, NoSuchBucket on access, never 500', async () => {
    const long = 'a'.repeat(64);
    const created = await signed('PUT', `/${long}`);
    expect([created.status, errorCode(created.text)]).toEqual([400, 'InvalidBucketName']);
    for (const name of [long, 'b'.repeat(300)]) {
      const read = await signed('GET', `/${name}/key`);
      expect([read.status, errorCode(read.text)]).toEqual([404, 'NoSuchBucket']);
      expect(read.text).toContain(`<BucketName>${name}</BucketName>`);
    }
    const put = await answerWithoutBody('PUT', `/${'c'.repeat(300)}/key`, {});
    expect([put.status, errorCode(put.text)]).toEqual([404, 'NoSuchBucket']);
  });
});

describe('XML documents with characters XML 1.0 cannot carry', () => {
  const key = 'ctl\u0001key\u001f';

  it('NoSuchKey for such a key parses in the JS SDK and in botocore (the AWS CLI)', async () => {
    expect(await errorOf(fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key })))).toMatchObject({ name: 'NoSuchKey', status: 404 });
    const failure = await promisify(execFile)('/usr/bin/aws', ['--endpoint-url', fx.gw.endpoint, 's3api', 'get-object', '--bucket', fx.bucket, '--key', key, '/dev/null'], {
      env: { ...fx.gw.env, AWS_CONFIG_FILE: '/dev/null' },
    }).then(() => ({ stderr: 'succeeded' }), (e: { stderr: string }) => e);
    // An ill-formed document leaves botocore with the bare status: "An error occurred (404)".
    expect(failure.stderr).toContain('(NoSuchKey)');
  });
});

describe('KMS JSON API responses', () => {
  async function kmsCall(target: string): Promise<request.Response> {
    const headers = await signKmsHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, target, '{}');
    return request(fx.gw.endpoint).post('/').set(headers).send('{}');
  }

  it('carry x-amzn-RequestId and none of the S3-only headers', async () => {
    const res = await kmsCall('ListKeys');
    expect(res.status).toBe(200);
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    for (const s3Only of ['x-amz-request-id', 'x-amz-id-2', 'server']) expect(res.headers[s3Only]).toBeUndefined();
  });

  it('an unsupported operation is UnknownOperationException with a message', async () => {
    const res = await kmsCall('NoSuchOperation');
    expect(res.status).toBe(400);
    expect(res.headers['x-amzn-errortype']).toBe('UnknownOperationException');
    const body = JSON.parse(res.text) as { __type: string; message: string };
    expect(body.__type).toBe('UnknownOperationException');
    expect(body.message).toContain('NoSuchOperation');
    expect(res.headers['x-amz-id-2']).toBeUndefined();
  });

  it('a signed payload hash that is not the body\'s is refused, never taken on trust', async () => {
    const headers = await signKmsHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, 'ListKeys', '{}', { 'x-amz-content-sha256': sha256Hex('{"Limit":1}') });
    const res = await request(fx.gw.endpoint).post('/').set(headers).send('{}');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ __type: 'InvalidSignatureException', message: 'The payload hash does not match the request body.' });
  });
});

describe('IAM Query API responses', () => {
  it('a signed payload hash that is not the body\'s is IncompleteSignature', async () => {
    const url = new URL(fx.gw.endpoint);
    const body = 'Action=ListUsers&Version=2010-05-08';
    const signed = await signer(fx.gw.credentials, 'us-east-1', 'iam').sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded', 'x-amz-content-sha256': sha256Hex('Action=ListUsers') },
      body,
    });
    const res = await request(fx.gw.endpoint).post('/').set(signed.headers as Record<string, string>).send(body);
    expect(res.status).toBe(400);
    expect(errorCode(res.text)).toBe('IncompleteSignature');
    expect(res.text).toContain('The payload hash does not match the request body.');
  });
});
