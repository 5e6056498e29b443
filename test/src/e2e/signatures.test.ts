/**
 * Signatures end to end: unsigned x-amz-* headers refused, non-ASCII metadata signed over the
 * bytes sent and answered RFC 2047-encoded (raw requests, the JS SDK and boto3), and
 * Expect: 100-continue answered only once authentication and routing pass (raw sockets).
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { bodyBytes, errorOf, useGatewayWithBucket } from '../harness.js';
import { sha256Hex, signHeaders } from '../signing.js';

const fx = useGatewayWithBucket('sig');
const run = promisify(execFile);

function errorCode(text: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
}

async function objectExists(key: string): Promise<boolean> {
  const err = await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key }))).catch(() => undefined);
  return err === undefined;
}

/** Headers signed over `headers`, for a PUT of `body` to `key`. */
function signedPut(key: string, body: string, headers: Record<string, string> = {}, secret = fx.gw.credentials.secretAccessKey) {
  const credentials = { accessKeyId: fx.gw.credentials.accessKeyId, secretAccessKey: secret };
  return signHeaders(fx.gw.endpoint, credentials, fx.gw.region, { method: 'PUT', path: `/${fx.bucket}/${key}`, headers }, { payloadHash: sha256Hex(body) });
}

/** The latin1 string whose characters are the UTF-8 bytes of `text`: what rawConnection puts on the wire. */
function asWireBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A raw HTTP/1.1 exchange on one socket: write, then read what the server sends. */
function rawConnection() {
  const url = new URL(fx.gw.endpoint);
  const socket = connect(Number(url.port), url.hostname);
  let received = '';
  let ended = false;
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on('data', (d: Buffer) => {
    received += d.toString('latin1');
    wake();
  });
  socket.on('end', () => {
    ended = true;
    wake();
  });
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (done() ? resolve() : waiters.push(check));
      check();
    });
  return {
    write: (data: string) => socket.write(data, 'latin1'),
    /** Everything the server sent up to the first blank line. */
    firstHead: async () => {
      await until(() => received.includes('\r\n\r\n') || ended);
      return received.slice(0, received.indexOf('\r\n\r\n') + 4);
    },
    /** Everything the server sent until it closed the connection. */
    all: async () => {
      await until(() => ended);
      return received;
    },
    close: () => socket.destroy(),
  };
}

function requestHead(path: string, headers: Record<string, string>): string {
  return [`PUT ${path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
}

describe('unsigned x-amz-* headers', () => {
  it('refuses a signed PUT with an SSE key id added afterwards, and writes nothing', async () => {
    const headers = await signedPut('captured', 'data', { 'x-amz-server-side-encryption': 'aws:kms' });
    const res = await request(fx.gw.endpoint)
      .put(`/${fx.bucket}/captured`)
      .set(headers)
      .set('x-amz-server-side-encryption-aws-kms-key-id', 'alias/elsewhere')
      .set('x-amz-meta-added', 'later')
      .send('data');
    expect(res.status).toBe(403);
    expect(errorCode(res.text)).toBe('AccessDenied');
    expect(res.text).toContain('<Message>There were headers present in the request which were not signed</Message>');
    expect(res.text).toContain('<HeadersNotSigned>x-amz-meta-added, x-amz-server-side-encryption-aws-kms-key-id</HeadersNotSigned>');
    expect(await objectExists('captured')).toBe(false);
  });
});

describe('clients sign every x-amz-* header they send', () => {
  it('s3cmd puts with SSE-KMS and metadata, and gets the file back', async () => {
    const url = new URL(fx.gw.endpoint);
    const config = join(fx.gw.dataDir, 's3cfg');
    const file = join(fx.gw.dataDir, 's3cmd.txt');
    await writeFile(config, ['[default]', `host_base = ${url.host}`, `host_bucket = ${url.host}`, 'use_https = False', `bucket_location = ${fx.gw.region}`, ''].join('\n'));
    await writeFile(file, 'uploaded by s3cmd\n');
    const s3cmd = (...args: string[]) => run('/usr/bin/s3cmd', ['-c', config, ...args], { env: { ...fx.gw.env, AWS_ACCESS_KEY_ID: fx.gw.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: fx.gw.credentials.secretAccessKey } });
    await s3cmd('put', file, `s3://${fx.bucket}/s3cmd.txt`, '--server-side-encryption-kms-id=alias/aws/s3', '--add-header=x-amz-meta-tool:s3cmd');
    await s3cmd('get', '--force', `s3://${fx.bucket}/s3cmd.txt`, `${file}.back`);
    expect(await readFile(`${file}.back`, 'utf8')).toBe('uploaded by s3cmd\n');
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 's3cmd.txt' }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.Metadata?.tool).toBe('s3cmd');
  });

  it('rclone copies up with SSE-KMS and back down', async () => {
    const config = join(fx.gw.dataDir, 'rclone.conf');
    const file = join(fx.gw.dataDir, 'rclone.txt');
    const remote = ['[gw]', 'type = s3', 'provider = Other', 'env_auth = true', `endpoint = ${fx.gw.endpoint}`, `region = ${fx.gw.region}`, 'server_side_encryption = aws:kms', ''];
    await writeFile(config, remote.join('\n'));
    await writeFile(file, 'uploaded by rclone\n');
    const rclone = (...args: string[]) => run('/usr/bin/rclone', ['--config', config, '--retries', '1', '--low-level-retries', '1', ...args], { env: fx.gw.env });
    await rclone('copyto', file, `gw:${fx.bucket}/rclone.txt`);
    await rclone('copyto', `gw:${fx.bucket}/rclone.txt`, `${file}.back`);
    expect(await readFile(`${file}.back`, 'utf8')).toBe('uploaded by rclone\n');
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'rclone.txt' }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
  });
});

describe('non-ASCII user metadata', () => {
  const text = 'Hello World\u00e9';
  const encoded = '=?UTF-8?Q?Hello_World=C3=A9?=';

  it('accepts UTF-8 bytes signed over those bytes, and answers them RFC 2047-encoded', async () => {
    const headers = await signedPut('utf8-meta', 'bar', { 'x-amz-meta-meta1': text, 'x-amz-meta-plain': 'a=b' });
    const conn = rawConnection();
    conn.write(requestHead(`/${fx.bucket}/utf8-meta`, { ...headers, 'x-amz-meta-meta1': asWireBytes(text), 'Content-Length': '3', Connection: 'close' }));
    conn.write('bar');
    const put = await conn.all();
    expect(errorCode(put)).toBeUndefined();
    expect(put).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'utf8-meta' }));
    expect(head.Metadata).toEqual({ meta1: encoded, plain: 'a=b' });
    const get = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'utf8-meta' }));
    expect(get.Metadata?.meta1).toBe(encoded);
    expect((await bodyBytes(get.Body)).toString()).toBe('bar');
  });

  it('decodes an encoded-word sent through the JS SDK and answers the same text', async () => {
    const word = `=?UTF-8?B?${Buffer.from('\u65e5\u672c\u8a9e', 'utf8').toString('base64')}?=`;
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'sdk-meta', Body: 'x', Metadata: { lang: word } }));
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'sdk-meta' }));
    expect(head.Metadata?.lang).toBe('=?UTF-8?Q?=E6=97=A5=E6=9C=AC=E8=AA=9E?=');
  });

  it('round-trips the ceph s3-tests unicode metadata request from boto3', async () => {
    const script = [
      'import boto3, sys',
      'from botocore.config import Config',
      "s3 = boto3.client('s3', endpoint_url=sys.argv[1], config=Config(s3={'addressing_style': 'path'}))",
      "def inject(**kw): kw['params']['headers']['x-amz-meta-meta1'] = 'Hello World\\xe9'",
      "s3.meta.events.register('before-call.s3.PutObject', inject)",
      "s3.put_object(Bucket=sys.argv[2], Key='boto3-meta', Body=b'bar')",
      "print(s3.get_object(Bucket=sys.argv[2], Key='boto3-meta')['Metadata']['meta1'])",
    ].join('\n');
    const { stdout } = await run('/usr/bin/python3', ['-c', script, fx.gw.endpoint, fx.bucket], { env: fx.gw.env });
    expect(stdout.trim()).toBe(encoded);
  });
});

describe('Expect: 100-continue', () => {
  const body = 'sent only after 100 Continue';

  it('answers a bad signature with the error, without asking for the body', async () => {
    const headers = await signedPut('never', body, {}, 'wrong-secret');
    const conn = rawConnection();
    conn.write(requestHead(`/${fx.bucket}/never`, { ...headers, 'Content-Length': String(body.length), Expect: '100-continue' }));
    const all = await conn.all();
    expect(all).not.toContain('100 Continue');
    expect(all).toMatch(/^HTTP\/1\.1 403 /);
    expect(all.toLowerCase()).toContain('connection: close');
    expect(errorCode(all)).toBe('SignatureDoesNotMatch');
    expect(await objectExists('never')).toBe(false);
  });

  it('answers a refused route with the error, without asking for the body', async () => {
    const credentials = fx.gw.credentials;
    const headers = await signHeaders(fx.gw.endpoint, credentials, fx.gw.region, { method: 'PUT', path: `/${fx.bucket}/k`, query: { torrent: '' }, headers: {} }, { payloadHash: sha256Hex(body) });
    const conn = rawConnection();
    conn.write(requestHead(`/${fx.bucket}/k?torrent`, { ...headers, 'Content-Length': String(body.length), Expect: '100-continue' }));
    const all = await conn.all();
    expect(all).not.toContain('100 Continue');
    expect(all).toMatch(/^HTTP\/1\.1 501 /);
    expect(errorCode(all)).toBe('NotImplemented');
  });

  it('sends 100 Continue to a good request, then stores the body', async () => {
    const headers = await signedPut('continued', body);
    const conn = rawConnection();
    conn.write(requestHead(`/${fx.bucket}/continued`, { ...headers, 'Content-Length': String(body.length), Expect: '100-continue', Connection: 'close' }));
    expect(await conn.firstHead()).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    conn.write(body);
    expect(await conn.all()).toMatch(/\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    const get = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'continued' }));
    expect((await bodyBytes(get.Body)).toString()).toBe(body);
  });

  it('ignores any other expectation, as S3 does', async () => {
    const headers = await signedPut('other-expect', body);
    const conn = rawConnection();
    conn.write(requestHead(`/${fx.bucket}/other-expect`, { ...headers, 'Content-Length': String(body.length), Expect: 'something-else', Connection: 'close' }));
    conn.write(body);
    expect(await conn.all()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(await objectExists('other-expect')).toBe(true);
  });
});
