/**
 * Clients that hang up part-way through a request: after the headers, after a few body
 * bytes, mid-body, just before the last aws-chunked chunk, and on the KMS JSON endpoint.
 * The gateway runs as the real CLI in a child process so that its open descriptors can be
 * counted; afterwards it must hold no temp file, no descriptor more than before, and still
 * answer.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawnGateway, type GatewayProcess } from '../cli-process.js';
import { seedSignatureOf, sha256Hex, signHeaders, signedChunkedBody } from '../signing.js';

const REGION = 'us-east-1';
const BUCKET = 'hangups';

let gateway: GatewayProcess;
let dataDir: string;
let credentials: { accessKeyId: string; secretAccessKey: string };
/** Everything the gateway wrote to stderr since it started listening (warnings land here). */
let stderr = '';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-hangup-'));
  gateway = await spawnGateway(dataDir);
  gateway.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  credentials = {
    accessKeyId: /AWS_ACCESS_KEY_ID=(\S+)/.exec(gateway.stdout)![1]!,
    secretAccessKey: /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(gateway.stdout)![1]!,
  };
});

afterAll(async () => {
  await gateway?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

interface Raw {
  head: Buffer;
  body: Buffer;
}

function rawRequest(method: string, path: string, headers: Record<string, string>, body: Buffer): Raw {
  const lines = [`${method} ${path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''];
  return { head: Buffer.from(lines.join('\r\n'), 'latin1'), body };
}

async function signedPut(key: string, body: Buffer): Promise<Raw> {
  const path = `/${BUCKET}/${key}`;
  const headers = await signHeaders(gateway.endpoint, credentials, REGION, { method: 'PUT', path, headers: { 'content-length': String(body.length), 'x-amz-server-side-encryption': 'aws:kms' } }, { payloadHash: 'UNSIGNED-PAYLOAD' });
  return rawRequest('PUT', path, headers, body);
}

async function chunkedPut(key: string, chunks: Buffer[]): Promise<Raw> {
  const path = `/${BUCKET}/${key}`;
  const decoded = chunks.reduce((n, c) => n + c.length, 0);
  // The encoded length is fixed by the chunk sizes alone, so it can be signed before the chunks are.
  const encodedLength = signedChunkedBody(chunks, { secret: 'x', amzDate: '20260101T000000Z', region: REGION, seedSignature: '0'.repeat(64) }).length;
  const headers = await signHeaders(
    gateway.endpoint,
    credentials,
    REGION,
    { method: 'PUT', path, headers: { 'content-encoding': 'aws-chunked', 'content-length': String(encodedLength), 'x-amz-decoded-content-length': String(decoded) } },
    { payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' },
  );
  const body = signedChunkedBody(chunks, { secret: credentials.secretAccessKey, amzDate: headers['x-amz-date']!, region: REGION, seedSignature: seedSignatureOf(headers['authorization']!) });
  return rawRequest('PUT', path, headers, body);
}

async function createBucketWithBody(name: string): Promise<Raw> {
  const body = Buffer.from(`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${REGION}</LocationConstraint></CreateBucketConfiguration>`);
  const headers = await signHeaders(gateway.endpoint, credentials, REGION, { method: 'PUT', path: `/${name}`, headers: { 'content-length': String(body.length) } }, { payloadHash: 'UNSIGNED-PAYLOAD' });
  return rawRequest('PUT', `/${name}`, headers, body);
}

async function kmsCall(target: string, json: string): Promise<Raw> {
  const body = Buffer.from(json);
  const url = new URL(gateway.endpoint);
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { Sha256 } = await import('@aws-crypto/sha256-js');
  const signed = await new SignatureV4({ credentials, region: REGION, service: 'kms', sha256: Sha256 }).sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${target}`, 'content-length': String(body.length) },
    body: json,
  });
  return rawRequest('POST', '/', signed.headers as Record<string, string>, body);
}

function open(): Promise<Socket> {
  const url = new URL(gateway.endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

function write(socket: Socket, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve())));
}

/** Sends the head and the first `bodyBytes` of the body, then closes the connection. */
async function hangUp(raw: Raw, bodyBytes: number): Promise<void> {
  const socket = await open();
  socket.on('error', () => {});
  await write(socket, Buffer.concat([raw.head, raw.body.subarray(0, bodyBytes)]));
  socket.destroy();
}

/** Sends the whole request and returns the status line. */
async function complete(raw: Raw): Promise<string> {
  const socket = await open();
  const response: Buffer[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    socket.on('data', (d: Buffer) => response.push(d));
    socket.once('end', resolve);
    socket.once('error', reject);
  });
  await write(socket, Buffer.concat([Buffer.from(raw.head.toString('latin1').replace('\r\n\r\n', '\r\nconnection: close\r\n\r\n'), 'latin1'), raw.body]));
  await ended;
  socket.destroy();
  return Buffer.concat(response).toString('latin1').split('\r\n')[0]!;
}

async function openDescriptors(): Promise<number> {
  return (await readdir(`/proc/${gateway.child.pid}/fd`)).length;
}

async function tempFiles(): Promise<string[]> {
  return readdir(join(dataDir, 'objects', 'tmp'));
}

/** Polls (bounded) until the gateway is back to `baseline` descriptors and an empty tmp/. */
async function settled(baseline: number): Promise<{ fds: number; temps: string[] }> {
  let state = { fds: await openDescriptors(), temps: await tempFiles() };
  for (let i = 0; i < 200 && (state.fds > baseline || state.temps.length > 0); i++) {
    await new Promise((r) => setTimeout(r, 50));
    state = { fds: await openDescriptors(), temps: await tempFiles() };
  }
  return state;
}

describe('clients that hang up', () => {
  let baseline: number;

  beforeAll(async () => {
    // Warm up every path the hang-ups take (bucket, KMS key, audit trail, chunk decoding) so
    // that lazily opened files are open before the baseline is taken.
    const create = await signHeaders(gateway.endpoint, credentials, REGION, { method: 'PUT', path: `/${BUCKET}`, headers: { 'content-length': '0' } }, { payloadHash: sha256Hex('') });
    expect(await complete(rawRequest('PUT', `/${BUCKET}`, create, Buffer.alloc(0)))).toMatch(/ 200 /);
    expect(await complete(await signedPut('warm', Buffer.from('warm')))).toMatch(/ 200 /);
    expect(await complete(await chunkedPut('warm-chunked', [Buffer.alloc(1024, 1)]))).toMatch(/ 200 /);
    expect(await complete(await kmsCall('ListKeys', '{}'))).toMatch(/ 200 /);
    baseline = (await settled(Infinity)).fds;
  });

  it('settles 50 uploads that send headers and 10 bytes, and 50 that stop elsewhere', async () => {
    const body = Buffer.alloc(1024 * 1024, 7);
    const chunked = await Promise.all(Array.from({ length: 10 }, (_, i) => chunkedPut(`chunked-${i}`, [Buffer.alloc(64 * 1024, 1), Buffer.alloc(64 * 1024, 2)])));
    const plain = await Promise.all(Array.from({ length: 80 }, (_, i) => signedPut(`plain-${i}`, body)));
    const kms = await Promise.all(Array.from({ length: 5 }, () => kmsCall('ListKeys', JSON.stringify({ Limit: 10 }))));
    const xml = await Promise.all(Array.from({ length: 5 }, (_, i) => createBucketWithBody(`hangup-xml-${i}`)));
    // A final signed chunk is "0;chunk-signature=<64 hex>\r\n\r\n": 86 bytes.
    const lastChunk = 86;
    await Promise.all([
      ...plain.slice(0, 50).map((raw) => hangUp(raw, 10)),
      ...plain.slice(50, 60).map((raw) => hangUp(raw, 0)),
      ...plain.slice(60, 70).map((raw) => hangUp(raw, body.length / 2)),
      ...plain.slice(70, 80).map((raw) => hangUp(raw, body.length - 1)),
      ...chunked.map((raw) => hangUp(raw, raw.body.length - lastChunk)),
      ...kms.map((raw) => hangUp(raw, 5)),
      ...xml.map((raw) => hangUp(raw, 10)),
    ]);
    const after = await settled(baseline);
    expect(after.temps).toEqual([]);
    expect(after.fds).toBeLessThanOrEqual(baseline);
    // Nothing was committed, and the gateway still serves.
    expect(await complete(await signedPut('after', Buffer.from('still here')))).toMatch(/ 200 /);
    const head = await signHeaders(gateway.endpoint, credentials, REGION, { method: 'HEAD', path: `/${BUCKET}/plain-0`, headers: {} }, { payloadHash: sha256Hex('') });
    expect(await complete(rawRequest('HEAD', `/${BUCKET}/plain-0`, head, Buffer.alloc(0)))).toMatch(/ 404 /);
    const headBucket = await signHeaders(gateway.endpoint, credentials, REGION, { method: 'HEAD', path: '/hangup-xml-0', headers: {} }, { payloadHash: sha256Hex('') });
    expect(await complete(rawRequest('HEAD', '/hangup-xml-0', headBucket, Buffer.alloc(0)))).toMatch(/ 404 /);
    expect(stderr).not.toMatch(/DEP0137|Closing file descriptor/);
  }, 300_000);

  it('leaves no listener behind on a keep-alive connection that carries many uploads', async () => {
    const s3 = new S3Client({ endpoint: gateway.endpoint, region: REGION, credentials, forcePathStyle: true, requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }) } });
    try {
      for (let i = 0; i < 15; i++) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `kept-alive-${i}`, Body: `body ${i}` }));
    } finally {
      s3.destroy();
    }
    expect(stderr).not.toMatch(/MaxListenersExceededWarning/);
  });
});
