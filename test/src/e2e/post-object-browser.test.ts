/**
 * POST Object from a real browser: Debian's headless Chromium (driven by playwright-core)
 * loads a page served for the test on another origin, holding an HTML form signed by
 * @aws-sdk/s3-presigned-post with SSE-KMS fields; a file is picked in its
 * `<input type=file>` and the form submitted, as a person would. The object is then read back
 * with the SDK. A refused form shows the browser S3's error document.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { bodyBytes, createKmsKey, useGatewayWithBucket } from '../harness.js';

const fx = useGatewayWithBucket('postweb');

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The upload page: the signed fields as hidden inputs, then the file input, then submit. */
function uploadPage(url: string, fields: Record<string, string>): string {
  const hidden = Object.entries(fields).map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>upload</title></head><body>
<form id="upload" action="${escapeHtml(url)}" method="post" enctype="multipart/form-data">
${hidden}
<input type="file" name="file" id="file">
<input type="submit" name="submit" value="Upload">
</form></body></html>`;
}

describe('a browser submitting an HTML form', () => {
  let browser: Browser;
  let server: Server;
  let origin: string;
  /** What the page server is asked for: the upload page, then where S3 redirects. */
  const pages = new Map<string, string>();
  const visits: URL[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', origin);
      visits.push(url);
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(pages.get(url.pathname) ?? '<!doctype html><title>done</title><p>uploaded</p>');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Debian's Chromium; no browser is downloaded. The sandbox needs privileges a container's root lacks.
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => server?.close(done));
  });

  async function presign(key: string, fields: Record<string, string>, conditions: NonNullable<Parameters<typeof createPresignedPost>[1]['Conditions']> = []) {
    const client = fx.gw.s3 as unknown as Parameters<typeof createPresignedPost>[0];
    return createPresignedPost(client, { Bucket: fx.bucket, Key: key, Fields: fields, Conditions: conditions, Expires: 300 });
  }

  it('uploads the picked file SSE-KMS encrypted under the form\'s key and follows success_action_redirect', async () => {
    const { keyArn } = await createKmsKey(fx.gw);
    const done = `${origin}/done`;
    const { url, fields } = await presign('browser/${filename}', {
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': keyArn,
      'Content-Type': 'application/octet-stream',
      success_action_redirect: done,
    });
    pages.set('/upload', uploadPage(url, fields));
    const content = randomBytes(1024 * 1024 + 123);
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/upload`);
      await page.setInputFiles('#file', { name: 'holiday photo.bin', mimeType: 'application/octet-stream', buffer: content });
      await Promise.all([page.waitForURL(`${done}?**`), page.click('input[type=submit]')]);
      const landed = new URL(page.url());
      expect([landed.searchParams.get('bucket'), landed.searchParams.get('key')]).toEqual([fx.bucket, 'browser/holiday photo.bin']);
      expect(landed.searchParams.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    } finally {
      await page.close();
    }
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'browser/holiday photo.bin' }));
    expect(got).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn, ContentLength: content.length });
    expect((await bodyBytes(got.Body)).equals(content)).toBe(true);
  });

  it('shows S3\'s error document when the form is refused', async () => {
    const { url, fields } = await presign('browser/too-large', {}, [['content-length-range', 0, 1024]]);
    pages.set('/small', uploadPage(url, fields));
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/small`);
      await page.setInputFiles('#file', { name: 'big.bin', mimeType: 'application/octet-stream', buffer: randomBytes(256 * 1024) });
      const [response] = await Promise.all([page.waitForResponse((r) => r.url() === url), page.click('input[type=submit]')]);
      expect(response.status()).toBe(400);
      const text = await page.textContent('body');
      expect(text).toContain('EntityTooLarge');
      expect(text).toContain(String(256 * 1024));
    } finally {
      await page.close();
    }
  });
});
