/**
 * Signature Version 2 end to end, with the clients that still send it: botocore's SigV2
 * signer (boto3 `signature_version='s3'`, header and presigned), s3cmd `signature_v2 = True`,
 * and raw requests signed here. SSE-S3 objects work; SSE-KMS objects need SigV4 (A2);
 * KMSGATE_SIGV2=off refuses V2 as AWS's SigV4-only regions do.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListBucketsCommand, PutBucketEncryptionCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { bodyBytes, bucketName, startTestGateway, useGatewayWithBucket, type TestGateway } from '../harness.js';

const fx = useGatewayWithBucket('sigv2');
const run = promisify(execFile);

function errorCode(text: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
}

/** Runs a boto3 script with `s3` = a client signing with SigV2 against `gw`; returns its JSON output. */
async function boto3V2(gw: TestGateway, bucket: string, body: string): Promise<Record<string, unknown>> {
  const script = [
    'import json, os, sys, boto3',
    'from botocore.config import Config',
    'from botocore.exceptions import ClientError',
    "s3 = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'], config=Config(signature_version='s3', s3={'addressing_style': 'path'}))",
    "B = os.environ['BUCKET']",
    'def err(call):',
    '    try:',
    '        call()',
    "        return 'succeeded'",
    '    except ClientError as e:',
    "        return [e.response['ResponseMetadata']['HTTPStatusCode'], e.response['Error'].get('Code'), e.response['Error'].get('Message')]",
    'out = {}',
    body,
    'print(json.dumps(out))',
  ].join('\n');
  const { stdout } = await run('/usr/bin/python3', ['-c', script], { env: { ...gw.env, ENDPOINT: gw.endpoint, BUCKET: bucket } });
  return JSON.parse(stdout) as Record<string, unknown>;
}

const KMS_NEEDS_V4 = 'Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.';

describe('boto3 with its SigV2 signer', () => {
  // Object operations only: botocore's path-style SigV2 signs a bucket's own operations over a
  // resource its URL does not have ('/bucket/' for '/bucket', '/bucket?acl?acl'), which S3 refuses too.
  it('puts, heads, gets and deletes SSE-S3 objects, metadata included', async () => {
    const out = await boto3V2(fx.gw, fx.bucket, [
      "put = s3.put_object(Bucket=B, Key='dir/v2 object.txt', Body=b'signed with v2', Metadata={'tool': 'boto3'}, ContentType='text/plain')",
      "out['sse'] = put['ServerSideEncryption']",
      "head = s3.head_object(Bucket=B, Key='dir/v2 object.txt')",
      "out['meta'] = head['Metadata']",
      "out['body'] = s3.get_object(Bucket=B, Key='dir/v2 object.txt')['Body'].read().decode()",
      "s3.delete_object(Bucket=B, Key='dir/v2 object.txt')",
      "out['gone'] = err(lambda: s3.head_object(Bucket=B, Key='dir/v2 object.txt'))",
    ].join('\n'));
    expect(out).toMatchObject({ sse: 'AES256', meta: { tool: 'boto3' }, body: 'signed with v2' });
    expect(out.gone).toEqual([404, '404', 'Not Found']);
  });

  it('is refused SSE-KMS writes and reads with the InvalidArgument AWS sends, and writes nothing', async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'kms-by-v4', Body: 'secret', ServerSideEncryption: 'aws:kms' }));
    const out = await boto3V2(fx.gw, fx.bucket, [
      "out['put'] = err(lambda: s3.put_object(Bucket=B, Key='kms-by-v2', Body=b'x', ServerSideEncryption='aws:kms'))",
      "out['get'] = err(lambda: s3.get_object(Bucket=B, Key='kms-by-v4'))",
      "out['head'] = err(lambda: s3.head_object(Bucket=B, Key='kms-by-v4'))",
    ].join('\n'));
    expect(out.put).toEqual([400, 'InvalidArgument', KMS_NEEDS_V4]);
    expect(out.get).toEqual([400, 'InvalidArgument', KMS_NEEDS_V4]);
    expect(out.head).toEqual([400, '400', 'Bad Request']);
    const err = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'kms-by-v2' })).catch((e: { name: string }) => e.name);
    expect(err).toBe('NotFound');
  });

  it('is refused writes into a bucket whose default encryption is SSE-KMS', async () => {
    const bucket = bucketName('v2kms');
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await fx.gw.s3.send(new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
    }));
    const out = await boto3V2(fx.gw, bucket, "out['put'] = err(lambda: s3.put_object(Bucket=B, Key='k', Body=b'x'))");
    expect(out.put).toEqual([400, 'InvalidArgument', KMS_NEEDS_V4]);
  });

  it('presigns SigV2 URLs that fetch serves, and refuses them once tampered with', async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'shared.txt', Body: 'shared by a v2 url' }));
    const out = await boto3V2(fx.gw, fx.bucket, [
      "out['get'] = s3.generate_presigned_url('get_object', Params={'Bucket': B, 'Key': 'shared.txt'}, ExpiresIn=300)",
      "out['put'] = s3.generate_presigned_url('put_object', Params={'Bucket': B, 'Key': 'uploaded-by-url.txt'}, ExpiresIn=300)",
    ].join('\n'));
    const getUrl = String(out.get);
    expect(getUrl).toContain('AWSAccessKeyId=');
    expect(getUrl).not.toContain('X-Amz-Signature');
    const got = await fetch(getUrl);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('shared by a v2 url');
    const tampered = await fetch(getUrl.replace('/shared.txt?', '/other.txt?'));
    expect([tampered.status, errorCode(await tampered.text())]).toEqual([403, 'SignatureDoesNotMatch']);
    // Bytes, not a string: fetch would add a Content-Type, which a V2 URL signs (as empty here).
    const put = await fetch(String(out.put), { method: 'PUT', body: new TextEncoder().encode('uploaded by url') });
    expect(put.status).toBe(200);
    const back = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'uploaded-by-url.txt' }));
    expect((await bodyBytes(back.Body)).toString()).toBe('uploaded by url');
  });
});

describe('s3cmd with signature_v2 = True', () => {
  it('puts and gets a file with metadata, and is refused SSE-KMS', async () => {
    const url = new URL(fx.gw.endpoint);
    const config = join(fx.gw.dataDir, 's3cfg-v2');
    await writeFile(config, ['[default]', `host_base = ${url.host}`, `host_bucket = ${url.host}`, 'use_https = False', 'signature_v2 = True',
      `bucket_location = ${fx.gw.region}`, `access_key = ${fx.gw.credentials.accessKeyId}`, `secret_key = ${fx.gw.credentials.secretAccessKey}`, ''].join('\n'));
    const file = join(fx.gw.dataDir, 's3cmd-v2.txt');
    await writeFile(file, 'uploaded by s3cmd with v2\n');
    const s3cmd = (...args: string[]) => run('/usr/bin/s3cmd', ['-c', config, ...args], { env: fx.gw.env });
    await s3cmd('put', file, `s3://${fx.bucket}/s3cmd-v2.txt`, '--add-header=x-amz-meta-tool:s3cmd');
    await s3cmd('get', '--force', `s3://${fx.bucket}/s3cmd-v2.txt`, `${file}.back`);
    expect(await readFile(`${file}.back`, 'utf8')).toBe('uploaded by s3cmd with v2\n');
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 's3cmd-v2.txt' }));
    expect([head.Metadata?.tool, head.ServerSideEncryption]).toEqual(['s3cmd', 'AES256']);
    const refused = await s3cmd('put', file, `s3://${fx.bucket}/s3cmd-v2-kms.txt`, '--server-side-encryption-kms-id=alias/aws/s3').then(
      () => 'succeeded',
      (e: { stderr: string }) => e.stderr,
    );
    expect(refused).toContain('InvalidArgument');
  });
});

describe('raw SigV2 requests', () => {
  /** Headers signed with SigV2 for a path-style request (sub-resources none). */
  function signV2(method: string, path: string, headers: Record<string, string>): Record<string, string> {
    const date = new Date().toUTCString();
    const amz = Object.keys(headers).filter((n) => n.startsWith('x-amz-')).sort().map((n) => `${n}:${headers[n]}\n`).join('');
    const text = `${method}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${date}\n${amz}${path}`;
    const signature = createHmac('sha1', fx.gw.credentials.secretAccessKey).update(text, 'utf8').digest('base64');
    return { ...headers, date, authorization: `AWS ${fx.gw.credentials.accessKeyId}:${signature}` };
  }
  const md5 = (text: string) => createHash('md5').update(text).digest('base64');

  it('takes the body as sent, still checks Content-MD5, and signs every x-amz-* header', async () => {
    const path = `/${fx.bucket}/raw-v2`;
    const ok = signV2('PUT', path, { 'content-md5': md5('raw body'), 'content-type': 'text/plain', 'x-amz-meta-who': 'raw' });
    expect((await request(fx.gw.endpoint).put(path).set(ok).send('raw body')).status).toBe(200);
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'raw-v2' }));
    expect([head.Metadata?.who, head.ContentType]).toEqual(['raw', 'text/plain']);

    const wrongMd5 = signV2('PUT', `/${fx.bucket}/raw-v2-md5`, { 'content-md5': md5('other'), 'content-type': 'text/plain' });
    const bad = await request(fx.gw.endpoint).put(`/${fx.bucket}/raw-v2-md5`).set(wrongMd5).send('raw body');
    expect([bad.status, errorCode(bad.text)]).toEqual([400, 'BadDigest']);

    const added = await request(fx.gw.endpoint).put(path).set(ok).set('x-amz-server-side-encryption', 'aws:kms').send('raw body');
    expect([added.status, errorCode(added.text)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(added.text).toContain('<StringToSign>PUT\n');
    expect(added.text).toContain('x-amz-server-side-encryption:aws:kms\n');
  });
});

describe('KMSGATE_SIGV2=off', () => {
  let off: TestGateway;
  beforeAll(async () => {
    off = await startTestGateway({ sigv2: false });
  });
  afterAll(async () => {
    await off?.stop();
  });

  it('refuses SigV2 headers and URLs with the error for an unsupported mechanism; SigV4 still works', async () => {
    const out = await boto3V2(off, 'any-bucket', [
      "out['list'] = err(lambda: s3.list_buckets())",
      "url = s3.generate_presigned_url('get_object', Params={'Bucket': B, 'Key': 'k'}, ExpiresIn=60)",
      'import urllib.request, urllib.error',
      'try:',
      '    urllib.request.urlopen(url)',
      'except urllib.error.HTTPError as e:',
      "    out['url'] = [e.code, e.read().decode()]",
    ].join('\n'));
    const message = 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';
    expect(out.list).toEqual([400, 'InvalidRequest', message]);
    const [status, text] = out.url as [number, string];
    expect([status, errorCode(text)]).toEqual([400, 'InvalidRequest']);
    expect(text).toContain(message);
    expect((await off.s3.send(new ListBucketsCommand({}))).$metadata.httpStatusCode).toBe(200);
  });
});
