/**
 * Listing figures for `pnpm bench` (BENCH_ONLY=list runs only these). Buckets are written
 * through the storage API into a fresh data directory (on tmpfs where there is one: this
 * measures listing, not writes), then a gateway is started over it, so the first listing
 * of each bucket is cold (nothing cached) and later ones warm.
 *
 *   BENCH_LIST_KEYS   keys for the full-pagination bucket (default 10000)
 *   BENCH_LIST_BIG    keys of the large bucket for the page-cost comparison (default 200000)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startGateway } from '@kmsgate/gateway';
import { FsObjectStore } from '@kmsgate/storage';

const KEYS = Number(process.env.BENCH_LIST_KEYS ?? 10_000);
const BIG = Number(process.env.BENCH_LIST_BIG ?? 200_000);
const SMALL = 2_000;
const PAGE = 1_000;

/** Nested like a real bucket: group/subgroup/key; prefix pNNN/ holds PAGE keys. */
const keyOf = (i: number, groups: number): string => `p${String(i % groups).padStart(4, '0')}/s${Math.floor(i / groups) % 10}/k${String(i).padStart(7, '0')}`;

async function fill(store: FsObjectStore, bucket: string, count: number): Promise<void> {
  await store.createBucket(bucket);
  const groups = Math.max(1, Math.floor(count / PAGE));
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < count) {
      const key = keyOf(next++, groups);
      const pending = await store.beginPut(bucket, key);
      pending.stream.end(Buffer.from(key));
      await new Promise((resolve) => pending.stream.once('finish', resolve));
      await pending.commit(Buffer.from('opaque'), { listing: { size: key.length, etag: 'e'.repeat(32), lastModified: new Date(), storageClass: 'STANDARD' } });
    }
  };
  await Promise.all(Array.from({ length: 64 }, writer));
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}

async function fullListing(s3: S3Client, bucket: string): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    count += page.KeyCount ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return count;
}

const firstPage = async (s3: S3Client, bucket: string, prefix: string, delimiter?: string): Promise<number> =>
  (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: delimiter }))).KeyCount ?? 0;

/** Cold figure, then the best of three warm ones. */
async function coldWarm(fn: () => Promise<number>, expected: number): Promise<string> {
  const [cold, got] = await timed(fn);
  if (got !== expected) throw new Error(`listed ${got}, expected ${expected}`);
  let warm = Infinity;
  for (let i = 0; i < 3; i++) warm = Math.min(warm, (await timed(fn))[0]);
  return `cold ${cold.toFixed(0).padStart(5)} ms   warm ${warm.toFixed(0).padStart(5)} ms`;
}

export async function benchListing(): Promise<void> {
  const dataDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'kmsgate-bench-list-'));
  try {
    const store = await FsObjectStore.open(join(dataDir, 'objects'));
    const [fillMs] = await timed(async () => {
      await fill(store, 'keys', KEYS);
      await fill(store, 'small', SMALL);
      await fill(store, 'big', BIG);
    });
    await store.close();
    const gw = await startGateway({ dataDir, port: 0, logLevel: 'silent', notify: () => undefined });
    const s3 = new S3Client({ endpoint: gw.endpoint, region: gw.region, credentials: gw.credentials, forcePathStyle: true });
    try {
      const prefix = 'p0000/';
      console.log(`listing, written through storage in ${(fillMs / 1000).toFixed(0)} s; ListObjectsV2 via @aws-sdk/client-s3, cold = first after start`);
      console.log(`full listing of ${KEYS} keys (${Math.ceil(KEYS / PAGE)} pages)   ${await coldWarm(() => fullListing(s3, 'keys'), KEYS)}`);
      console.log(`one delimiter page (prefix ${prefix}, '/')      ${await coldWarm(() => firstPage(s3, 'keys', prefix, '/'), 10)}`);
      console.log(`first ${PAGE}-key page of ${prefix}, ${SMALL} keys  ${await coldWarm(() => firstPage(s3, 'small', prefix), PAGE)}`);
      console.log(`first ${PAGE}-key page of ${prefix}, ${BIG} keys ${await coldWarm(() => firstPage(s3, 'big', prefix), PAGE)}`);
    } finally {
      s3.destroy();
      await gw.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
