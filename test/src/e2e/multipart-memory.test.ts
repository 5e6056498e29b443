/**
 * A 2 GiB SSE-KMS upload through @aws-sdk/lib-storage `Upload` (64 MiB parts, 4 in flight)
 * into the real CLI process, downloaded and compared by hash, while the gateway's peak RSS
 * stays far below the object's size: memory does not grow with what is uploaded.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { spawnGateway, type GatewayProcess } from '../cli-process.js';
import { hashTap } from '@kmsgate/gateway';
import { repeatingStream, sha256Of } from '../streams.js';

const MiB = 1024 * 1024;
const SIZE = 2048 * MiB;
/** Start-up takes about 60 MiB; holding even one 64 MiB part per request in flight would pass 256. */
const PEAK_RSS_LIMIT_MIB = 256;

let dataDir: string;
let gateway: GatewayProcess;
let s3: S3Client;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-mp-memory-'));
  const credentials = { accessKeyId: 'AKIAMULTIPARTMEMORY1', secretAccessKey: randomBytes(30).toString('base64') };
  gateway = await spawnGateway(dataDir, { KMSGATE_ACCESS_KEY_ID: credentials.accessKeyId, KMSGATE_SECRET_ACCESS_KEY: credentials.secretAccessKey, KMSGATE_ROOT_KEY: randomBytes(32).toString('base64') });
  s3 = new S3Client({ endpoint: gateway.endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'mp-memory' }));
});

afterAll(async () => {
  s3.destroy();
  await gateway.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('lib-storage Upload', () => {
  it('uploads 2 GiB in 64 MiB parts, 4 in flight, with SSE-KMS; the download hashes the same; peak RSS stays bounded', async () => {
    const tap = hashTap('sha256');
    const source = repeatingStream(SIZE).pipe(tap);
    const upload = new Upload({
      client: s3,
      params: { Bucket: 'mp-memory', Key: 'big', Body: source, ServerSideEncryption: 'aws:kms' },
      partSize: 64 * MiB,
      queueSize: 4,
    });
    const done = await upload.done();
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-32"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'mp-memory', Key: 'big' }));
    expect([head.ContentLength, head.ServerSideEncryption, head.SSEKMSKeyId]).toEqual([SIZE, 'aws:kms', expect.stringMatching(/^arn:aws:kms:/)]);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'mp-memory', Key: 'big' }));
    expect(await sha256Of(got.Body as Readable)).toBe(tap.hex());
    expect(await gateway.peakRssMiB()).toBeLessThan(PEAK_RSS_LIMIT_MIB);
  }, 600_000);
});
