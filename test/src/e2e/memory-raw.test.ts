/**
 * Memory stays flat in object size against a client that never throttles itself: a raw
 * socket that writes a 1 GiB SSE-KMS PUT as fast as the kernel takes it, reads the GET back
 * as fast as it arrives, then 16 such PUTs at once. Only the gateway's back-pressure keeps
 * the body out of its memory; a stage that queued what the socket delivers (a transform
 * pushing past a full writer, a batching writer, an oversized buffer) would hold a large
 * share of the gigabyte. The bench prints the figures; this checks the bound.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { spawnGateway, type GatewayProcess } from '../cli-process.js';
import { signHeaders } from '../signing.js';

const MiB = 1024 * 1024;
const BIG = 1024 * MiB;
const CONCURRENT = 16;
const EACH = 32 * MiB;
/** Start-up takes about 85 MiB and these loads about 130-160 in all; a queued share of the body would show far above. */
const PEAK_RSS_LIMIT_MIB = 256;

const credentials = { accessKeyId: 'AKIAMEMORYRAW0000001', secretAccessKey: randomBytes(30).toString('base64') };
const region = 'us-east-1';
let dataDir: string;
let gateway: GatewayProcess;
let port: number;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-memory-raw-'));
  gateway = await spawnGateway(dataDir, { KMSGATE_ACCESS_KEY_ID: credentials.accessKeyId, KMSGATE_SECRET_ACCESS_KEY: credentials.secretAccessKey, KMSGATE_ROOT_KEY: randomBytes(32).toString('base64') });
  port = Number(new URL(gateway.endpoint).port);
  const s3 = new S3Client({ endpoint: gateway.endpoint, region, credentials, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'raw' }));
  s3.destroy();
});

afterAll(async () => {
  await gateway.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The request head, signed with UNSIGNED-PAYLOAD; the connection closes after the answer. */
async function head(method: string, path: string, headers: Record<string, string>): Promise<Buffer> {
  const signed = await signHeaders(gateway.endpoint, credentials, region, { method, path, headers }, { payloadHash: 'UNSIGNED-PAYLOAD' });
  const lines = [`${method} ${path} HTTP/1.1`, ...Object.entries(signed).map(([n, v]) => `${n}: ${v}`), 'connection: close', '', ''];
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

/** Reads the answer to the end of the connection: its status and how many body bytes came. */
async function answer(socket: Socket): Promise<{ status: number; bodyBytes: number }> {
  let start = Buffer.alloc(0);
  let headerEnd = -1;
  let total = 0;
  socket.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (headerEnd !== -1) return;
    start = Buffer.concat([start, chunk]);
    headerEnd = start.indexOf('\r\n\r\n');
  });
  await once(socket, 'end');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(start.toString('latin1'))?.[1]);
  return { status, bodyBytes: total - headerEnd - 4 };
}

async function open(): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** Writes `size` bytes as fast as the socket takes them; waits only when its own buffer is full. */
async function rawPut(key: string, size: number): Promise<number> {
  const socket = await open();
  const answered = answer(socket);
  socket.write(await head('PUT', `/raw/${key}`, { 'content-length': String(size), 'x-amz-server-side-encryption': 'aws:kms' }));
  const block = randomBytes(MiB);
  for (let sent = 0; sent < size; sent += MiB) {
    if (!socket.write(sent + MiB <= size ? block : block.subarray(0, size - sent))) await once(socket, 'drain');
  }
  return (await answered).status;
}

async function rawGet(key: string): Promise<{ status: number; bodyBytes: number }> {
  const socket = await open();
  const answered = answer(socket);
  socket.write(await head('GET', `/raw/${key}`, {}));
  return answered;
}

/** Resets the gateway's peak RSS (Linux: 5 into clear_refs), so a reading covers what follows. */
const resetPeak = (): Promise<void> => writeFile(`/proc/${gateway.child.pid}/clear_refs`, '5');

describe('bounded memory against an unthrottled client', () => {
  it('PUTs and GETs 1 GiB through raw sockets without queueing it', async () => {
    await resetPeak();
    expect(await rawPut('big', BIG)).toBe(200);
    expect(await rawGet('big')).toEqual({ status: 200, bodyBytes: BIG });
    expect(await gateway.peakRssMiB()).toBeLessThan(PEAK_RSS_LIMIT_MIB);
  }, 300_000);

  it(`takes ${CONCURRENT} such PUTs at once without queueing them`, async () => {
    await resetPeak();
    const statuses = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => rawPut(`p${i}`, EACH)));
    expect(statuses).toEqual(Array(CONCURRENT).fill(200));
    expect(await gateway.peakRssMiB()).toBeLessThan(PEAK_RSS_LIMIT_MIB);
  }, 300_000);
});
