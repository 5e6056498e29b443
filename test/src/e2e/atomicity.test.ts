/**
 * Nothing is lost or half-written: concurrent PUTs of one key leave one whole winner,
 * an interrupted upload leaves no object and no temp file, and a write is visible to the
 * next read at once.
 */
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { sep } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { bodyBytes, errorOf, useGatewayWithBucket } from '../harness.js';
import { allFiles } from '../disk.js';
import { signHeaders } from '../signing.js';

const fx = useGatewayWithBucket('atomic');

/**
 * Every file but the listing summaries, which the store rewrites in the background after
 * any commit (a summary that appears meanwhile is a cache of the listing, not litter).
 */
async function filesBesideSummaries(dir: string): Promise<string[]> {
  return (await allFiles(dir)).filter((path) => !path.split(sep).includes('summaries'));
}

async function waitForFilesAsBefore(before: string[]): Promise<void> {
  let now: string[] = [];
  for (let i = 0; i < 200; i++) {
    now = await filesBesideSummaries(fx.gw.dataDir);
    if (JSON.stringify(now) === JSON.stringify(before)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  const added = now.filter((path) => !before.includes(path));
  const gone = before.filter((path) => !now.includes(path));
  throw new Error(`files left behind: ${JSON.stringify(added)}; files gone: ${JSON.stringify(gone)}`);
}

describe('atomic writes', () => {
  // Small bodies are kept inline in their record, large ones get a data file: the mix races
  // every kind of replacement against the others.
  it.each([
    ['large', () => 200_000],
    ['small', () => 4096],
    ['small and large', (i: number) => (i % 2 === 0 ? 3000 : 200_000)],
  ])('concurrent %s PUTs of one key leave exactly one whole winner', async (kind, sizeOf) => {
    const key = `contended-${kind}`;
    const bodies = Array.from({ length: 8 }, (_, i) => randomBytes(sizeOf(i)));
    await Promise.all(bodies.map((Body) => fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: key, Body, ServerSideEncryption: 'aws:kms' }))));
    const got = await bodyBytes((await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key }))).Body);
    expect(bodies.some((b) => b.equals(got))).toBe(true);
  });

  it('reads its own writes at once', async () => {
    for (let i = 0; i < 5; i++) {
      const body = Buffer.from(`version ${i}`);
      await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'raw', Body: body }));
      expect((await bodyBytes((await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'raw' }))).Body)).equals(body)).toBe(true);
    }
  });

  it.each([
    ['a large', 4 * 1024 * 1024, 1024 * 1024],
    ['a small', 64 * 1024, 10 * 1024],
  ])('a client that disconnects mid-upload of %s object leaves no object and no temp file', async (_kind, total, sent) => {
    const before = await filesBesideSummaries(fx.gw.dataDir);
    const url = new URL(fx.gw.endpoint);
    const path = `/${fx.bucket}/interrupted`;
    const headers = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'PUT', path, headers: { 'content-length': String(total), 'x-amz-server-side-encryption': 'aws:kms' } }, { payloadHash: 'UNSIGNED-PAYLOAD' });
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: url.hostname, port: url.port, method: 'PUT', path, headers });
      req.on('error', () => resolve());
      req.write(randomBytes(sent), () => {
        // Give the gateway time to start writing, then vanish.
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 200);
      });
    });
    expect((await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'interrupted' })))).status).toBe(404);
    await waitForFilesAsBefore(before);
  });

  it('a body refused for its Content-MD5 leaves nothing either', async () => {
    const before = await filesBesideSummaries(fx.gw.dataDir);
    const failure = await errorOf(fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'short', Body: Buffer.alloc(10), ContentLength: 10, ContentMD5: '1B2M2Y8AsgTpgAmY7PhCfg==' })));
    expect(failure.name).toBe('BadDigest');
    expect((await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'short' })))).status).toBe(404);
    await waitForFilesAsBefore(before);
  });
});
