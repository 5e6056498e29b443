/**
 * Memory does not grow with object size: a 512 MiB SSE-KMS PUT and GET through the real
 * CLI process stay far below the object's size in peak RSS. (The throughput figures live
 * in `pnpm bench`; this only checks the bound.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawnGateway, type GatewayProcess } from '../cli-process.js';
import { countingSink, repeatingStream } from '../streams.js';

const SIZE = 512 * 1024 * 1024;
/** Start-up takes about 60 MiB; an implementation that buffered the object would need 512+. */
const PEAK_RSS_LIMIT_MIB = 256;

let dataDir: string;
let gateway: GatewayProcess;
let s3: S3Client;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-memory-'));
  const credentials = { accessKeyId: 'AKIAMEMORYTEST000001', secretAccessKey: randomBytes(30).toString('base64') };
  gateway = await spawnGateway(dataDir, { KMSGATE_ACCESS_KEY_ID: credentials.accessKeyId, KMSGATE_SECRET_ACCESS_KEY: credentials.secretAccessKey, KMSGATE_ROOT_KEY: randomBytes(32).toString('base64') });
  s3 = new S3Client({ endpoint: gateway.endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'memory' }));
});

afterAll(async () => {
  s3.destroy();
  await gateway.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('bounded memory', () => {
  it('streams a 512 MiB object in and out without holding it', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'memory', Key: 'big', Body: repeatingStream(SIZE), ContentLength: SIZE, ServerSideEncryption: 'aws:kms' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'memory', Key: 'big' }));
    const sink = countingSink();
    await pipeline(got.Body as Readable, sink);
    expect(sink.bytes()).toBe(SIZE);
    expect(await gateway.peakRssMiB()).toBeLessThan(PEAK_RSS_LIMIT_MIB);
  }, 180_000);
});
