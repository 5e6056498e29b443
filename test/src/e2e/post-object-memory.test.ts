/**
 * A form's file is never held whole nor written anywhere in plaintext: a 64 MiB browser-form
 * POST through the real CLI process raises the gateway's peak RSS by far less than its size,
 * and no file under the data directory holds any of an uploaded file's bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawnGateway, type GatewayProcess } from '../cli-process.js';
import { filesHoldingPlaintext } from '../disk.js';
import { sendStreamedForm } from '../post-form.js';
import { repeatingStream } from '../streams.js';

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
/** As in memory.test.ts: the first upload warms heap and buffers up, whatever its size. */
const WARM_UP_SIZE = 16 * MiB;
/** Measured: 9 MiB. A parser or engine that kept the file would add 64. */
const GROWTH_LIMIT_MIB = 32;

let dataDir: string;
let gateway: GatewayProcess;
let s3: S3Client;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-postmem-'));
  const credentials = { accessKeyId: 'AKIAPOSTMEMORY000001', secretAccessKey: randomBytes(30).toString('base64') };
  gateway = await spawnGateway(dataDir, { KMSGATE_ACCESS_KEY_ID: credentials.accessKeyId, KMSGATE_SECRET_ACCESS_KEY: credentials.secretAccessKey, KMSGATE_ROOT_KEY: randomBytes(32).toString('base64') });
  s3 = new S3Client({ endpoint: gateway.endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'postmem' }));
});

afterAll(async () => {
  s3.destroy();
  await gateway.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function post(key: string, file: Readable, size: number): Promise<number> {
  const client = s3 as unknown as Parameters<typeof createPresignedPost>[0];
  const { url, fields } = await createPresignedPost(client, { Bucket: 'postmem', Key: key, Fields: { 'x-amz-server-side-encryption': 'aws:kms' } });
  return sendStreamedForm(url, fields, file, size);
}

describe('a form\'s file', () => {
  it('streams through without being held: 64 MiB raise the peak RSS by far less', async () => {
    expect(await post('warm-up', repeatingStream(WARM_UP_SIZE), WARM_UP_SIZE)).toBe(204);
    const before = await gateway.peakRssMiB();
    expect(await post('big', repeatingStream(SIZE), SIZE)).toBe(204);
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'postmem', Key: 'big' }))).ContentLength).toBe(SIZE);
    expect((await gateway.peakRssMiB()) - before).toBeLessThan(GROWTH_LIMIT_MIB);
  }, 120_000);

  it('leaves no plaintext under the data directory', async () => {
    const content = randomBytes(3 * MiB + 17);
    expect(await post('secret.bin', Readable.from([content]), content.length)).toBe(204);
    expect(await filesHoldingPlaintext(dataDir, [content])).toEqual([]);
  });
});
