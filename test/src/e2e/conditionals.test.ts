/**
 * Conditional requests end to end: GET/HEAD preconditions through the JS SDK, create-only
 * and If-Match PUTs (racing, too), and the download that must not stitch two versions.
 */
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { bodyBytes, errorOf, useGatewayWithBucket } from '../harness.js';
import { sha256Hex, signHeaders } from '../signing.js';
import { s3ErrorOf } from '../xml.js';

const fx = useGatewayWithBucket('cond');

async function put(key: string, body: Buffer | string, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}) {
  return fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: key, Body: body, ...extra }));
}

describe('conditional GET and HEAD', () => {
  it('If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since answer 200, 304 or 412', async () => {
    const { ETag } = await put('read', 'hello');
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'read' }));
    const lastModified = head.LastModified!;
    const before = new Date(lastModified.getTime() - 60_000);
    const get = (input: Partial<ConstructorParameters<typeof GetObjectCommand>[0]>) =>
      fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'read', ...input }));
    const hd = (input: Partial<ConstructorParameters<typeof HeadObjectCommand>[0]>) =>
      fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'read', ...input }));

    expect((await bodyBytes((await get({ IfMatch: ETag })).Body)).toString()).toBe('hello');
    expect((await get({ IfMatch: ETag!.replace(/"/g, '') })).$metadata.httpStatusCode).toBe(200); // quotes optional
    expect((await get({ IfMatch: '*' })).$metadata.httpStatusCode).toBe(200);
    expect(await errorOf(get({ IfMatch: '"0000"' }))).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    expect(await errorOf(get({ IfUnmodifiedSince: before }))).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    expect(await errorOf(get({ IfNoneMatch: ETag }))).toMatchObject({ status: 304 });
    expect(await errorOf(get({ IfModifiedSince: lastModified }))).toMatchObject({ status: 304 });
    expect((await get({ IfModifiedSince: before })).$metadata.httpStatusCode).toBe(200);
    // Precedence: If-Match wins over a failing If-Unmodified-Since; If-None-Match over If-Modified-Since.
    expect((await get({ IfMatch: ETag, IfUnmodifiedSince: before })).$metadata.httpStatusCode).toBe(200);
    expect(await errorOf(get({ IfNoneMatch: ETag, IfModifiedSince: before }))).toMatchObject({ status: 304 });

    expect(await errorOf(hd({ IfMatch: '"0000"' }))).toMatchObject({ status: 412 });
    expect(await errorOf(hd({ IfNoneMatch: '*' }))).toMatchObject({ status: 304 });
    expect((await hd({ IfNoneMatch: '"0000"' })).$metadata.httpStatusCode).toBe(200);
  });

  it('on the wire: 412 names the condition, 304 has ETag and Last-Modified and no body', async () => {
    const { ETag } = await put('wire', 'x');
    const path = `/${fx.bucket}/wire`;
    const signed = (headers: Record<string, string>) =>
      signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'GET', path, headers }, { payloadHash: sha256Hex('') });
    const failed = await request(fx.gw.endpoint).get(path).set(await signed({ 'if-match': '"nope"' }));
    expect(failed.status).toBe(412);
    expect(s3ErrorOf(failed.text)).toMatchObject({ code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold' });
    expect(failed.text).toContain('<Condition>If-Match</Condition>');
    const unmodified = await request(fx.gw.endpoint).get(path).set(await signed({ 'if-unmodified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' }));
    expect(unmodified.text).toContain('<Condition>If-Unmodified-Since</Condition>');
    const notModified = await request(fx.gw.endpoint).get(path).set(await signed({ 'if-none-match': ETag! }));
    expect(notModified.status).toBe(304);
    expect(notModified.headers.etag).toBe(ETag);
    expect(notModified.headers['last-modified']).toMatch(/GMT$/);
    expect(notModified.text).toBe('');
  });

  it('an overwrite between two ranged If-Match GETs of one download fails the second with 412', async () => {
    const first = randomBytes(200_000);
    const { ETag } = await put('download', first);
    const part1 = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'download', Range: 'bytes=0-99999', IfMatch: ETag }));
    expect((await bodyBytes(part1.Body)).equals(first.subarray(0, 100_000))).toBe(true);
    await put('download', randomBytes(200_000));
    expect(await errorOf(fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'download', Range: 'bytes=100000-199999', IfMatch: ETag }))))
      .toMatchObject({ name: 'PreconditionFailed', status: 412 });
  });
});

describe('conditional PUT', () => {
  it('If-None-Match: * creates once, then 412; after a delete it creates again', async () => {
    expect((await put('create-once', 'a', { IfNoneMatch: '*' })).$metadata.httpStatusCode).toBe(200);
    expect(await errorOf(put('create-once', 'b', { IfNoneMatch: '*' }))).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'create-once' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('a');
    await fx.gw.s3.send(new DeleteObjectCommand({ Bucket: fx.bucket, Key: 'create-once' }));
    expect((await put('create-once', 'c', { IfNoneMatch: '*' })).$metadata.httpStatusCode).toBe(200);
  });

  it('If-Match: the current ETag replaces, another is 412, a missing key is 404 NoSuchKey', async () => {
    const { ETag } = await put('replace', 'v1');
    expect(await errorOf(put('replace', 'v2', { IfMatch: '"ffffffffffffffffffffffffffffffff"' }))).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    const second = await put('replace', 'v2', { IfMatch: ETag });
    expect(second.ETag).not.toBe(ETag);
    expect(await errorOf(put('replace', 'v3', { IfMatch: ETag }))).toMatchObject({ status: 412 });
    expect(await errorOf(put('never-there', 'x', { IfMatch: ETag }))).toMatchObject({ name: 'NoSuchKey', status: 404 });
  });

  it('If-None-Match other than * is 501 NotImplemented', async () => {
    const path = `/${fx.bucket}/inm-etag`;
    const headers = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region,
      { method: 'PUT', path, headers: { 'if-none-match': '"abc"', 'content-length': '1' } }, { payloadHash: sha256Hex('x') });
    const res = await request(fx.gw.endpoint).put(path).set(headers).send('x');
    expect(res.status).toBe(501);
    expect(s3ErrorOf(res.text).code).toBe('NotImplemented');
    expect(res.text).toContain('<Header>If-None-Match</Header>');
  });

  it('racing create-only PUTs: exactly one 200 per round, the rest 412, and the winner is stored', async () => {
    // One connection per writer, so the uploads really run side by side.
    const clients = Array.from({ length: 8 }, () => new S3Client({ endpoint: fx.gw.endpoint, region: fx.gw.region, credentials: fx.gw.credentials, forcePathStyle: true }));
    try {
      for (let round = 0; round < 20; round++) {
        const writers = 2 + (round % 7);
        const key = `race/${round}`;
        const bodies = Array.from({ length: writers }, () => randomBytes(50_000));
        const outcomes = await Promise.allSettled(
          bodies.map((body, i) => clients[i].send(new PutObjectCommand({ Bucket: fx.bucket, Key: key, Body: body, IfNoneMatch: '*' }))),
        );
        const winners = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const o of outcomes) {
          if (o.status === 'rejected') expect((o.reason as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(412);
        }
        const stored = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key }));
        expect((await bodyBytes(stored.Body)).equals(bodies[winners[0]])).toBe(true);
      }
    } finally {
      for (const c of clients) c.destroy();
    }
  });
});
