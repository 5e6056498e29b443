/**
 * `pnpm bench`: throughput of a 1 GiB SSE-KMS PUT and GET, and the gateway's peak RSS.
 * Two clients: @aws-sdk/client-s3 with default settings (which spends CPU of its own on
 * aws-chunked framing and CRC32 on both ways, on the same two cores), and plain HTTP with
 * UNSIGNED-PAYLOAD, which shows what the gateway itself sustains. The gateway runs as its own process (the real CLI) so its memory
 * is measured alone. Loopback only. Figures are printed, never asserted.
 *
 *   BENCH_SIZE_MIB   object size in MiB (default 1024)
 *   BENCH_ONLY       run one part alone: `putget` (the above), `copy` (copy-range.ts), `multipart`
 *                    (multipart.ts: a lib-storage Upload in 64 MiB parts, 4 in flight), `post` (post-form.ts)
 *                    or `list` (bench-list.ts)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { request } from 'node:http';
import { spawnGateway } from '../cli-process.js';
import { signHeaders } from '../signing.js';
import { countingSink, repeatingStream } from '../streams.js';
import { benchCopyAndRange } from './copy-range.js';
import { benchListing } from './bench-list.js';
import { benchMultipart } from './multipart.js';
import { benchPostForm } from './post-form.js';

const MiB = 1024 * 1024;
const size = Number(process.env.BENCH_SIZE_MIB ?? 1024) * MiB;
const only = process.env.BENCH_ONLY;

/** PUT and GET of `size` bytes over node:http, signed with UNSIGNED-PAYLOAD. */
async function rawHttpRound(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, keyId: string, size: number): Promise<{ putSeconds: number; getSeconds: number }> {
  const path = '/bench/raw.bin';
  const putHeaders = await signHeaders(endpoint, credentials, 'us-east-1', {
    method: 'PUT', path, headers: { 'content-length': String(size), 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': keyId },
  }, { payloadHash: 'UNSIGNED-PAYLOAD' });
  let t0 = performance.now();
  const put = await send(endpoint, 'PUT', path, putHeaders, repeatingStream(size));
  if (put.status !== 200) throw new Error(`raw PUT answered ${put.status}`);
  const putSeconds = (performance.now() - t0) / 1000;
  const getHeaders = await signHeaders(endpoint, credentials, 'us-east-1', { method: 'GET', path, headers: {} }, { payloadHash: 'UNSIGNED-PAYLOAD' });
  t0 = performance.now();
  const got = await send(endpoint, 'GET', path, getHeaders);
  if (got.status !== 200 || got.bytes !== size) throw new Error(`raw GET answered ${got.status} with ${got.bytes} bytes`);
  return { putSeconds, getSeconds: (performance.now() - t0) / 1000 };
}

function send(endpoint: string, method: string, path: string, headers: Record<string, string>, body?: Readable): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const url = new URL(endpoint);
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const sink = countingSink();
      pipeline(res, sink).then(() => resolve({ status: res.statusCode ?? 0, bytes: sink.bytes() }), reject);
    });
    req.on('error', reject);
    if (body) pipeline(body, req).catch(reject);
    else req.end();
  });
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-bench-'));
  const accessKeyId = 'AKIABENCHMARK0000001';
  const secretAccessKey = randomBytes(30).toString('base64');
  const gateway = await spawnGateway(dataDir, { KMSGATE_ACCESS_KEY_ID: accessKeyId, KMSGATE_SECRET_ACCESS_KEY: secretAccessKey, KMSGATE_ROOT_KEY: randomBytes(32).toString('base64') }, ['--log', 'error']);
  try {
    const endpoint = gateway.endpoint;
    const credentials = { accessKeyId, secretAccessKey };
    const s3 = new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
    const kms = new KMSClient({ endpoint, region: 'us-east-1', credentials });
    const keyId = (await kms.send(new CreateKeyCommand({ Description: 'bench' }))).KeyMetadata!.KeyId!;
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const idleRss = await gateway.peakRssMiB();
    if (only === undefined || only === 'putget') await benchPutGet(endpoint, credentials, s3, keyId);
    if (only === undefined || only === 'copy') {
      for (const line of await benchCopyAndRange({ endpoint, credentials, s3, bucket: 'bench', keyId })) console.log(line);
    }
    if (only === undefined || only === 'multipart') {
      for (const line of await benchMultipart({ s3, bucket: 'bench', keyId, size })) console.log(line);
    }
    if (only === undefined || only === 'post') {
      for (const line of await benchPostForm({ endpoint, credentials, s3, bucket: 'bench', keyId })) console.log(line);
    }
    const peak = await gateway.peakRssMiB();
    s3.destroy();
    kms.destroy();
    console.log(`gateway peak RSS   ${peak.toFixed(0)} MiB (after start-up: ${idleRss.toFixed(0)} MiB)`);
  } finally {
    await gateway.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function benchPutGet(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, s3: S3Client, keyId: string): Promise<void> {
  let t0 = performance.now();
  await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'big.bin', Body: repeatingStream(size), ContentLength: size, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }));
  const putSeconds = (performance.now() - t0) / 1000;

  t0 = performance.now();
  const got = await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: 'big.bin' }));
  const sink = countingSink();
  await pipeline(got.Body as Readable, sink);
  const received = sink.bytes();
  const getSeconds = (performance.now() - t0) / 1000;
  if (received !== size) throw new Error(`GET returned ${received} bytes, expected ${size}`);
  const raw = await rawHttpRound(endpoint, credentials, keyId, size);

  const mib = size / MiB;
  console.log(`object size        ${mib} MiB, SSE-KMS, @aws-sdk/client-s3 default settings (stream PUT = aws-chunked + CRC32 trailer)`);
  console.log(`PUT                ${putSeconds.toFixed(2)} s   ${(mib / putSeconds).toFixed(0)} MiB/s`);
  console.log(`GET                ${getSeconds.toFixed(2)} s   ${(mib / getSeconds).toFixed(0)} MiB/s`);
  console.log(`PUT (plain HTTP)   ${raw.putSeconds.toFixed(2)} s   ${(mib / raw.putSeconds).toFixed(0)} MiB/s   UNSIGNED-PAYLOAD, no checksum`);
  console.log(`GET (plain HTTP)   ${raw.getSeconds.toFixed(2)} s   ${(mib / raw.getSeconds).toFixed(0)} MiB/s`);
}

async function all(): Promise<void> {
  if (only === undefined || only === 'putget' || only === 'copy' || only === 'multipart' || only === 'post') await main();
  if (only === undefined || only === 'list') await benchListing();
}

all().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
