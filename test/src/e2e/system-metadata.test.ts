/**
 * System metadata end to end: what a PUT sends comes back on GET and HEAD, aws-chunked never
 * does, the storage class is echoed as S3 echoes it, and response-* overrides GET headers.
 */
import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import request from 'supertest';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { bodyBytes, errorOf, useGatewayWithBucket } from '../harness.js';
import { sha256Hex, signHeaders } from '../signing.js';
import { s3ErrorOf } from '../xml.js';

const fx = useGatewayWithBucket('sysmeta');

describe('system metadata', () => {
  it('Content-Type, -Encoding, -Disposition, -Language, Cache-Control, Expires, redirect and storage class round-trip', async () => {
    const expires = new Date('2030-01-02T03:04:05Z');
    await fx.gw.s3.send(new PutObjectCommand({
      Bucket: fx.bucket, Key: 'full', Body: 'x',
      ContentType: 'text/csv', ContentEncoding: 'gzip', ContentDisposition: 'attachment; filename="a.csv"', ContentLanguage: 'de',
      CacheControl: 'max-age=300', Expires: expires, WebsiteRedirectLocation: '/other', StorageClass: 'STANDARD_IA',
    }));
    for (const out of [
      await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'full' })),
      await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'full' })),
    ]) {
      expect(out).toMatchObject({
        ContentType: 'text/csv', ContentEncoding: 'gzip', ContentDisposition: 'attachment; filename="a.csv"', ContentLanguage: 'de',
        CacheControl: 'max-age=300', ExpiresString: expires.toUTCString(), WebsiteRedirectLocation: '/other', StorageClass: 'STANDARD_IA',
      });
    }
  });

  it('an object sent without any is binary/octet-stream, STANDARD (no header), no encoding', async () => {
    const path = `/${fx.bucket}/bare`;
    const headers = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'PUT', path, headers: { 'content-length': '1' } }, { payloadHash: sha256Hex('x') });
    // fetch adds no Content-Type for a byte body (supertest would add a form type).
    const res = await fetch(`${fx.gw.endpoint}${path}`, { method: 'PUT', headers, body: new Uint8Array([0x78]) });
    expect(res.status).toBe(200);
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'bare' }));
    expect(head.ContentType).toBe('binary/octet-stream');
    expect(head.StorageClass).toBeUndefined();
    expect(head.ContentEncoding).toBeUndefined();
  });

  it('a streamed upload stores gzip, not the gzip,aws-chunked it was framed with', async () => {
    const body = Buffer.from('not really gzip');
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'chunked', Body: Readable.from([body]), ContentLength: body.length, ContentEncoding: 'gzip' }));
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'chunked' }));
    expect(head.ContentEncoding).toBe('gzip');
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'chunked-only', Body: Readable.from([body]), ContentLength: body.length }));
    expect((await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'chunked-only' }))).ContentEncoding).toBeUndefined();
  });

  it('a redirect location that is not /, http:// or https:// is 400 InvalidRedirectLocation', async () => {
    expect(await errorOf(fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'r', Body: 'x', WebsiteRedirectLocation: 'elsewhere' }))))
      .toMatchObject({ name: 'InvalidRedirectLocation', status: 400 });
  });
});

describe('response-* overrides', () => {
  it('replace the stored headers on GET and HEAD, for this response only', async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'ovr', Body: 'data', ContentType: 'text/plain', CacheControl: 'no-store' }));
    const overrides = {
      ResponseContentType: 'application/pdf', ResponseContentDisposition: 'attachment; filename="r\u00e9sum\u00e9.pdf"',
      ResponseContentEncoding: 'identity', ResponseContentLanguage: 'fr', ResponseCacheControl: 'max-age=1',
      ResponseExpires: new Date('2031-05-06T07:08:09Z'),
    };
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'ovr', ...overrides }));
    expect((await bodyBytes(got.Body)).toString()).toBe('data');
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'ovr', ...overrides }));
    for (const out of [got, head]) {
      expect(out).toMatchObject({ ContentType: 'application/pdf', ContentEncoding: 'identity', ContentLanguage: 'fr', CacheControl: 'max-age=1', ExpiresString: 'Tue, 06 May 2031 07:08:09 GMT' });
    }
    // Sent as ISO-8859-1 bytes, as S3 sends them.
    const url = await getSignedUrl(fx.gw.s3, new GetObjectCommand({ Bucket: fx.bucket, Key: 'ovr', ResponseContentDisposition: overrides.ResponseContentDisposition }), { expiresIn: 60 });
    const raw = await request(url).get('');
    expect(raw.headers['content-disposition']).toBe('attachment; filename="r\u00e9sum\u00e9.pdf"');
    const plain = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'ovr' }));
    expect(plain).toMatchObject({ ContentType: 'text/plain', CacheControl: 'no-store' });
  });

  it('a value beyond ISO-8859-1 is 400 InvalidArgument', async () => {
    const url = await getSignedUrl(fx.gw.s3, new GetObjectCommand({ Bucket: fx.bucket, Key: 'ovr', ResponseContentDisposition: 'attachment; filename="\u20ac.pdf"' }), { expiresIn: 60 });
    const res = await request(url).get('');
    expect(res.status).toBe(400);
    expect(s3ErrorOf(res.text)).toMatchObject({ code: 'InvalidArgument', message: 'Header value cannot be represented using ISO-8859-1.' });
  });
});
