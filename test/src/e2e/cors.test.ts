/**
 * CORS end to end: the bucket CORS operations through the JS SDK, preflights and CORS headers
 * on raw requests, and a real browser (Debian's headless Chromium, driven by playwright-core)
 * on another origin uploading through a presigned URL with fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  GetObjectCommand,
  GetBucketCorsCommand,
  HeadObjectCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  S3Client,
  type CORSRule,
} from '@aws-sdk/client-s3';
import { bucketName, createKmsKey, errorOf, useGatewayWithBucket } from '../harness.js';

const fx = useGatewayWithBucket('cors');
const PAGE_ORIGIN_HOST = '127.0.0.1';
const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

function errorCode(text: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
}

async function putCors(bucket: string, rules: CORSRule[]): Promise<void> {
  await fx.gw.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }));
}

describe('bucket CORS operations', () => {
  it('stores, answers and deletes the rules as given', async () => {
    const bucket = bucketName('corsops');
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    expect(await errorOf(fx.gw.s3.send(new GetBucketCorsCommand({ Bucket: bucket })))).toMatchObject({ name: 'NoSuchCORSConfiguration', status: 404 });
    const rules: CORSRule[] = [
      { ID: 'uploads', AllowedHeaders: ['x-amz-*', 'Content-Type'], AllowedMethods: ['PUT', 'POST'], AllowedOrigins: ['https://app.example'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 3000 },
      { AllowedMethods: ['GET'], AllowedOrigins: ['*'] },
    ];
    await putCors(bucket, rules);
    expect((await fx.gw.s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules).toEqual(rules);
    expect((await fx.gw.s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(204);
    expect(await errorOf(fx.gw.s3.send(new GetBucketCorsCommand({ Bucket: bucket })))).toMatchObject({ name: 'NoSuchCORSConfiguration' });
    expect((await fx.gw.s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(204);
  });

  it('refuses rules S3 refuses', async () => {
    expect(await errorOf(putCors(fx.bucket, [{ AllowedMethods: ['PATCH'], AllowedOrigins: ['*'] }]))).toMatchObject({
      name: 'InvalidRequest', status: 400, message: 'Found unsupported HTTP method in CORS config. Unsupported method is PATCH',
    });
    expect(await errorOf(putCors(fx.bucket, []))).toMatchObject({ name: 'MalformedXML', status: 400 });
    expect(await errorOf(putCors('no-such-bucket-here', [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }]))).toMatchObject({ name: 'NoSuchBucket' });
  });
});

describe('preflights and CORS headers', () => {
  let bucket: string;
  beforeAll(async () => {
    bucket = bucketName('corsraw');
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'page.txt', Body: 'hello' }));
  });

  const preflight = (path: string, headers: Record<string, string>) => request(fx.gw.endpoint).options(path).set(headers);

  it('answers as S3 does before any rule exists: no Origin, no bucket, no rules', async () => {
    const noOrigin = await preflight(`/${bucket}/page.txt`, {});
    expect([noOrigin.status, errorCode(noOrigin.text)]).toEqual([400, 'BadRequest']);
    expect(noOrigin.text).toContain('<Message>Insufficient information. Origin request header needed.</Message>');
    const noBucket = await preflight('/no-such-bucket-here/k', { Origin: 'http://a.test', 'Access-Control-Request-Method': 'GET' });
    expect([noBucket.status, errorCode(noBucket.text)]).toEqual([403, 'AccessForbidden']);
    expect(noBucket.text).toContain('<Message>CORSResponse: Bucket not found</Message><Method>GET</Method><ResourceType>BUCKET</ResourceType>');
    const noRules = await preflight(`/${bucket}/page.txt`, { Origin: 'http://a.test', 'Access-Control-Request-Method': 'PUT' });
    expect([noRules.status, errorCode(noRules.text)]).toEqual([403, 'AccessForbidden']);
    expect(noRules.text).toContain('<Message>CORSResponse: CORS is not enabled for this bucket.</Message><Method>PUT</Method>');
    const get = await request(fx.gw.endpoint).get(`/${bucket}/page.txt`).set('Origin', 'http://a.test');
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a matching preflight without credentials, and refuses what no rule allows', async () => {
    await putCors(bucket, [
      { AllowedOrigins: ['http://*.app.test'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['x-amz-meta-*', 'Content-Type'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 3000 },
      { AllowedOrigins: ['*'], AllowedMethods: ['GET'] },
    ]);
    const ok = await preflight(`/${bucket}/new.txt`, {
      Origin: 'http://www.app.test', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'Content-Type, X-Amz-Meta-Owner',
    });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('');
    expect(ok.headers).toMatchObject({
      'access-control-allow-origin': 'http://www.app.test',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, PUT',
      'access-control-allow-headers': 'content-type, x-amz-meta-owner',
      'access-control-expose-headers': 'ETag',
      'access-control-max-age': '3000',
      vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
    const anyone = await preflight(`/${bucket}/page.txt`, { Origin: 'http://elsewhere.test', 'Access-Control-Request-Method': 'GET' });
    expect([anyone.status, anyone.headers['access-control-allow-origin'], anyone.headers['access-control-allow-credentials']]).toEqual([200, '*', undefined]);
    const refusals: Record<string, string>[] = [
      { Origin: 'http://elsewhere.test', 'Access-Control-Request-Method': 'PUT' },
      { Origin: 'http://www.app.test', 'Access-Control-Request-Method': 'DELETE' },
      { Origin: 'http://www.app.test', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-amz-server-side-encryption' },
    ];
    for (const headers of refusals) {
      const refused = await preflight(`/${bucket}/new.txt`, headers);
      expect([refused.status, errorCode(refused.text)]).toEqual([403, 'AccessForbidden']);
      expect(refused.text).toContain(`<Message>${NOT_ALLOWED.replace("'", '&apos;')}</Message><Method>${headers['Access-Control-Request-Method']}</Method><ResourceType>OBJECT</ResourceType>`);
    }
  });

  it('adds the matching rule\'s headers to requests with an Origin, errors included', async () => {
    const s3Get = await request(fx.gw.endpoint).get(`/${bucket}/page.txt`).set('Origin', 'http://www.app.test');
    // Unsigned: refused, but the page may still read why.
    expect(s3Get.status).toBe(403);
    expect(s3Get.headers['access-control-allow-origin']).toBe('http://www.app.test');
    expect(s3Get.headers['access-control-expose-headers']).toBe('ETag');
    const noMatch = await request(fx.gw.endpoint).delete(`/${bucket}/page.txt`).set('Origin', 'http://www.app.test');
    expect(noMatch.headers['access-control-allow-origin']).toBeUndefined();
  });
});

/** A plain page server on another loopback port: another origin than the gateway's. */
async function servePage(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><head><title>uploader</title></head><body><p>kmsgate CORS test page</p></body></html>');
  });
  await new Promise<void>((done) => server.listen(0, PAGE_ORIGIN_HOST, done));
  return { server, origin: `http://${PAGE_ORIGIN_HOST}:${(server.address() as AddressInfo).port}` };
}

interface FetchOutcome {
  status?: number;
  etag?: string | null;
  sse?: string | null;
  kmsKey?: string | null;
  error?: string;
}

/** fetch() from inside the page: the browser enforces CORS, preflight and all. */
function browserPut(page: Page, url: string, headers: Record<string, string>, body: string): Promise<FetchOutcome> {
  return page.evaluate(async ({ url, headers, body }) => {
    try {
      const res = await fetch(url, { method: 'PUT', headers, body });
      return {
        status: res.status,
        etag: res.headers.get('ETag'),
        sse: res.headers.get('x-amz-server-side-encryption'),
        kmsKey: res.headers.get('x-amz-server-side-encryption-aws-kms-key-id'),
      };
    } catch (err) {
      return { error: String(err) };
    }
  }, { url, headers, body });
}

describe('a browser on another origin', () => {
  let browser: Browser;
  let page: Page;
  let pageServer: { server: Server; origin: string };
  let presigner: S3Client;

  beforeAll(async () => {
    pageServer = await servePage();
    // Debian's Chromium; no browser is downloaded. The sandbox needs privileges a container's root lacks.
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    page = await browser.newPage();
    await page.goto(`${pageServer.origin}/`);
    presigner = new S3Client({
      endpoint: fx.gw.endpoint, region: fx.gw.region, credentials: fx.gw.credentials, forcePathStyle: true,
      // A presigned URL carries no body checksum: the browser's body is not known when signing.
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  });
  afterAll(async () => {
    presigner?.destroy();
    await browser?.close();
    await new Promise((done) => pageServer?.server.close(done));
  });

  /** A presigned SigV4 PUT with SSE-KMS, the SSE headers signed (not hoisted) so the page must send them. */
  async function presignKmsPut(bucket: string, key: string, keyArn: string): Promise<{ url: string; headers: Record<string, string> }> {
    const headers = { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': keyArn };
    const url = await getSignedUrl(presigner, new PutObjectCommand({ Bucket: bucket, Key: key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn }), {
      expiresIn: 300,
      unhoistableHeaders: new Set(Object.keys(headers)),
    });
    return { url, headers };
  }

  it('PUTs through a presigned URL with fetch under a CORS rule, and the object is SSE-KMS encrypted', async () => {
    const bucket = bucketName('browser');
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await putCors(bucket, [{
      AllowedOrigins: [pageServer.origin],
      AllowedMethods: ['PUT'],
      AllowedHeaders: ['x-amz-server-side-encryption*'],
      ExposeHeaders: ['ETag', 'x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id'],
    }]);
    const { keyArn } = await createKmsKey(fx.gw);
    const { url, headers } = await presignKmsPut(bucket, 'from-the-browser.txt', keyArn);
    expect(url).toContain('X-Amz-SignedHeaders=host%3Bx-amz-server-side-encryption%3Bx-amz-server-side-encryption-aws-kms-key-id');

    const outcome = await browserPut(page, url, headers, 'uploaded by a web page');
    expect(outcome).toMatchObject({ status: 200, sse: 'aws:kms', kmsKey: keyArn });
    expect(outcome.etag).toMatch(/^"[0-9a-f]{32}"$/);

    const stored = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'from-the-browser.txt' }));
    expect([stored.ServerSideEncryption, stored.SSEKMSKeyId, stored.ContentLength]).toEqual(['aws:kms', keyArn, 22]);
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'from-the-browser.txt' }));
    expect(await got.Body!.transformToString()).toBe('uploaded by a web page');
  });

  it('fails with a CORS error when no rule allows the page, and nothing is written', async () => {
    const bucket = bucketName('nocors');
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { keyArn } = await createKmsKey(fx.gw);
    const { url, headers } = await presignKmsPut(bucket, 'blocked.txt', keyArn);
    expect(await browserPut(page, url, headers, 'must not arrive')).toEqual({ error: 'TypeError: Failed to fetch' });
    // A rule for another origin blocks it just the same.
    await putCors(bucket, [{ AllowedOrigins: ['http://other.test'], AllowedMethods: ['PUT'], AllowedHeaders: ['*'] }]);
    expect(await browserPut(page, url, headers, 'must not arrive')).toEqual({ error: 'TypeError: Failed to fetch' });
    expect(await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'blocked.txt' })))).toMatchObject({ status: 404 });
  });
});
