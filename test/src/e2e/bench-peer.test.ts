// The peer bench's parts work against both servers: its lite SigV4 client is accepted by
// kmsgate (SSE-KMS PUT, GET back) and by s3rver, which the bench starts itself; and the floor,
// its small-object reference, keeps each PUT in a file of its own and serves it back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { LiteClient } from '../bench/lite-client.js';
import { BUCKET, startFloor, startKmsgate, startS3rver, type BenchServer } from '../bench/peer-servers.js';

describe('peer bench servers and client', () => {
  let root: string;
  const servers: BenchServer[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'bench-peer-test-'));
    servers.push(await startKmsgate(join(root, 'kmsgate')), await startS3rver(join(root, 's3rver')));
  }, 60_000);

  afterAll(async () => {
    for (const s of servers) await s.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('PUTs and GETs through the lite client on both, SSE-KMS on kmsgate only, and lists with the SDK and the lite client', async () => {
    for (const server of servers) {
      const client = new LiteClient(server, 4);
      try {
        const body = Buffer.from('x'.repeat(4096));
        await Promise.all([0, 1, 2].map((i) => client.put(`/${BUCKET}/t/k${i}`, body, body.length)));
        expect(await client.get(`/${BUCKET}/t/k1`)).toBe(4096);
        const head = await server.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 't/k1' }));
        expect(head.ContentLength).toBe(4096);
        expect(head.ServerSideEncryption).toBe(server.name === 'kmsgate' ? 'aws:kms' : undefined);
        const listed = await server.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 't/' }));
        expect(listed.Contents?.map((c) => c.Key)).toEqual(['t/k0', 't/k1', 't/k2']);
        // The light client's own list page and DELETE, which the list figure and the soak use.
        const keysIn = (xml: string): string[] => [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
        expect(keysIn(await client.listPage(BUCKET, 't/'))).toEqual(['t/k0', 't/k1', 't/k2']);
        await client.delete(`/${BUCKET}/t/k1`);
        const after = await client.listPage(BUCKET, 't/');
        expect(keysIn(after)).toEqual(['t/k0', 't/k2']);
        expect(after).toMatch(/<KeyCount>2<\/KeyCount>/);
        await server.resetPeakRss();
        expect(await server.peakRssMiB()).toBeGreaterThan(0);
      } finally {
        client.destroy();
      }
    }
  });

  it('the floor stores each PUT body as a file of its own, with no temp file left, and answers a missing key with 404', async () => {
    const dir = join(root, 'floor');
    const floor = await startFloor(dir);
    const client = new LiteClient(floor, 4);
    try {
      const body = Buffer.from('y'.repeat(4096));
      await Promise.all([0, 1, 2].map((i) => client.put(`/${BUCKET}/f/k${i}`, body, body.length)));
      await client.put(`/${BUCKET}/f/k1`, Buffer.from('z'), 1);
      expect(await client.get(`/${BUCKET}/f/k0`)).toBe(4096);
      expect(await client.get(`/${BUCKET}/f/k1`)).toBe(1);
      await expect(client.get(`/${BUCKET}/f/none`)).rejects.toThrow(/answered 404/);
      const files = (await readdir(dir)).sort();
      expect(files).toEqual([0, 1, 2].map((i) => encodeURIComponent(`/${BUCKET}/f/k${i}`)));
      expect(await readFile(join(dir, files[1]!), 'utf8')).toBe('z');
    } finally {
      client.destroy();
      await floor.stop();
    }
  });
});
