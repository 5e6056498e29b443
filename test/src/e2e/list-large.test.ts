/**
 * A bucket of 20,000 keys in a nested layout, written through the storage API into the
 * gateway's data directory (fast: on tmpfs where there is one, since this is about listing,
 * not durability), then listed through the gateway with a cold process:
 * full pagination with V1 and V2 returns every key once, in order, and a prefix +
 * delimiter page is right.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { FsObjectStore } from '@kmsgate/storage';
import { startTestGateway, type TestGateway } from '../harness.js';

const BUCKET = 'large-listing';
const COUNT = 20_000;
const keyOf = (i: number): string => `t${i % 20}/u${Math.floor(i / 20) % 50}/k${String(i).padStart(5, '0')}`;
const keys = Array.from({ length: COUNT }, (_, i) => keyOf(i)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

let dataDir: string;
let gw: TestGateway;
let filling: Promise<unknown> | undefined;
let stopFilling = false;

// The fill is 20,000 real commits: seconds on a quiet machine, minutes when the suite's
// other workers load both cores, so its hook has a long timeout, and afterAll waits for
// the writers before removing the folder they write into.
beforeAll(async () => {
  dataDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'kmsgate-large-'));
  const store = await FsObjectStore.open(join(dataDir, 'objects'));
  await store.createBucket(BUCKET);
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < COUNT && !stopFilling) {
      const key = keys[next++];
      const pending = await store.beginPut(BUCKET, key);
      pending.stream.end(Buffer.from(key));
      await new Promise((resolve) => pending.stream.once('finish', resolve));
      await pending.commit(Buffer.from('opaque'), { listing: { size: key.length, etag: 'e'.repeat(32), lastModified: new Date(0), storageClass: 'STANDARD' } });
    }
  };
  filling = Promise.all(Array.from({ length: 64 }, writer));
  await filling;
  await store.close();
  gw = await startTestGateway({ dataDir });
}, 900_000);

afterAll(async () => {
  stopFilling = true;
  await filling?.catch(() => undefined);
  await gw?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe(`a bucket of ${COUNT} keys`, () => {
  it('pages through every key once, in order, with ListObjectsV2', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await gw.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
      seen.push(...page.Contents!.map((c) => c.Key!));
      expect(page.Contents!.every((c) => c.Size === c.Key!.length)).toBe(true);
      token = page.NextContinuationToken;
    } while (token);
    expect(seen).toEqual(keys);
  }, 300_000);

  it('pages through every key once, in order, with ListObjects (V1)', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await gw.s3.send(new ListObjectsCommand({ Bucket: BUCKET, Marker: marker, MaxKeys: 777 }));
      seen.push(...page.Contents!.map((c) => c.Key!));
      if (!page.IsTruncated) break;
      marker = seen[seen.length - 1];
    }
    expect(seen).toEqual(keys);
  }, 300_000);

  it('answers prefix + delimiter pages right', async () => {
    const top = await gw.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
    expect(top.CommonPrefixes!.map((p) => p.Prefix)).toEqual([...new Set(keys.map((k) => k.split('/')[0] + '/'))]);
    expect(top.Contents).toBeUndefined();
    const mid = await gw.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 't7/u3', Delimiter: '/' }));
    expect(mid.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['t7/u3/', ...Array.from({ length: 10 }, (_, i) => `t7/u3${i}/`)]);
    const leaf = await gw.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 't7/u31/', Delimiter: '/' }));
    expect(leaf.Contents!.map((c) => c.Key)).toEqual(keys.filter((k) => k.startsWith('t7/u31/')));
    expect(leaf.KeyCount).toBe(COUNT / 20 / 50);
  }, 300_000);
});
