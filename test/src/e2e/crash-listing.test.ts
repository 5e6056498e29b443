/**
 * Listings after `kmsgate server` dies with SIGKILL: the persisted listing summaries it had
 * written (some before the last changes of their directory, some never) must not show an
 * object as it was before an acknowledged overwrite or delete. A SIGTERM stop closes the
 * store cleanly, so the next start lists from the summaries, and still lists the truth.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawnGateway, type GatewayProcess } from '../cli-process.js';

const BUCKET = 'crash-list';
const keyOf = (i: number): string => `d${i % 3}/s${i % 2}/k${String(i).padStart(3, '0')}`;

let running: GatewayProcess | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await running?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

type Truth = Map<string, { size: number; etag: string }>;

function client(gateway: GatewayProcess, credentials: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({ endpoint: gateway.endpoint, region: 'us-east-1', credentials, forcePathStyle: true, maxAttempts: 1 });
}

async function put(s3: S3Client, truth: Truth, key: string, body: string): Promise<void> {
  const { ETag } = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ServerSideEncryption: 'aws:kms' }));
  truth.set(key, { size: Buffer.byteLength(body), etag: ETag! });
}

async function remove(s3: S3Client, truth: Truth, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  truth.delete(key);
}

/** Every key with its size and ETag, through small pages. */
async function listed(s3: S3Client): Promise<Truth> {
  const out: Truth = new Map();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 7, ContinuationToken: token }));
    for (const item of page.Contents ?? []) out.set(item.Key!, { size: item.Size!, etag: item.ETag! });
    token = page.NextContinuationToken;
  } while (token);
  return out;
}

const sorted = (truth: Truth): [string, { size: number; etag: string }][] => [...truth].sort(([a], [b]) => (a < b ? -1 : 1));

async function listingState(): Promise<unknown> {
  return JSON.parse(await readFile(join(dataDir!, 'objects', 'listing-state'), 'utf8'));
}

describe('listing across SIGKILL', () => {
  it('lists every acknowledged overwrite, delete and new key after kill -9, and after a clean restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-crash-list-'));
    running = await spawnGateway(dataDir);
    const credentials = {
      accessKeyId: /AWS_ACCESS_KEY_ID=(\S+)/.exec(running.stdout)![1]!,
      secretAccessKey: /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(running.stdout)![1]!,
    };
    const truth: Truth = new Map();
    let s3 = client(running, credentials);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (let i = 0; i < 30; i++) await put(s3, truth, keyOf(i), `first ${i}`);
    expect(sorted(await listed(s3))).toEqual(sorted(truth));
    s3.destroy();
    await running.stop(); // SIGTERM: the store closes cleanly
    expect(await listingState()).toMatchObject({ clean: true });

    running = await spawnGateway(dataDir);
    s3 = client(running, credentials);
    expect(sorted(await listed(s3))).toEqual(sorted(truth)); // from the summaries
    let changing = true;
    const lister = (async () => {
      while (changing) await listed(s3);
    })();
    for (let i = 0; i < 10; i++) await put(s3, truth, keyOf(i), `overwritten ${i} ${'x'.repeat(i)}`);
    for (let i = 10; i < 20; i++) await remove(s3, truth, keyOf(i));
    for (let i = 30; i < 40; i++) await put(s3, truth, keyOf(i), `new ${i}`);
    // Long enough for the gateway to rewrite some summaries in the background; the changes
    // after it leave those behind again.
    await sleep(1500);
    for (let i = 0; i < 5; i++) await put(s3, truth, keyOf(i), `again ${i} ${'y'.repeat(2 * i)}`);
    for (let i = 20; i < 25; i++) await remove(s3, truth, keyOf(i));
    changing = false;
    await lister;
    const exited = new Promise((done) => running!.child.once('exit', done));
    running.child.kill('SIGKILL');
    await exited;
    s3.destroy();
    expect(await listingState()).toMatchObject({ clean: false });

    for (let life = 0; life < 2; life++) {
      running = await spawnGateway(dataDir);
      s3 = client(running, credentials);
      expect(sorted(await listed(s3))).toEqual(sorted(truth)); // from the records, then from new summaries
      s3.destroy();
      await running.stop();
      expect(await listingState()).toMatchObject({ clean: true });
    }
  }, 120_000);
});
