/**
 * The web console in a real browser: Debian's headless Chromium (playwright-core) opens
 * /console on a real gateway and is driven as a person would: sign in with an access key,
 * upload a file with SSE-KMS through the browser form, look at its envelope, download it,
 * disable the key and see the download refused, read the audit trail; and a user with narrow
 * policies sees only what they allow. Every page is saved as a screenshot (paths printed).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { bodyBytes, bucketName, createUser, errorOf, useGatewayWithBucket } from '../harness.js';
import { findObjectFiles, gatewayRecordIn } from '../disk.js';

const fx = useGatewayWithBucket('console');
const shotsDir = process.env.KMSGATE_SCREENSHOTS ?? join(tmpdir(), 'kmsgate-console-screenshots');
const shots: string[] = [];

let browser: Browser;
beforeAll(async () => {
  await mkdir(shotsDir, { recursive: true });
  // Debian's Chromium; no browser is downloaded. The sandbox needs privileges a container's root lacks.
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  if (shots.length > 0) console.log(`console screenshots:\n${shots.join('\n')}`);
});

/** Waits until `locator` shows `text` (playwright-core has no expect of its own), then checks it exactly. */
async function shows(locator: Locator, text: string | RegExp): Promise<void> {
  const found = locator.filter({ hasText: text }).first();
  await found.waitFor();
  const content = (await found.textContent()) ?? '';
  if (typeof text === 'string') expect(content).toContain(text);
  else expect(content).toMatch(text);
}

async function shot(page: Page, name: string): Promise<void> {
  const path = join(shotsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  shots.push(path);
}

/** A fresh browser profile on the console, with every CSP violation it reports collected. */
async function openConsole(): Promise<{ context: BrowserContext; page: Page; violations: string[] }> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
  const res = await page.goto(`${fx.gw.endpoint}/console`);
  expect(res!.status()).toBe(200);
  const csp = res!.headers()['content-security-policy']!;
  for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) expect(csp).toContain(directive);
  expect(csp).not.toMatch(/unsafe-(inline|eval)/);
  return { context, page, violations };
}

async function signIn(page: Page, credentials: { accessKeyId: string; secretAccessKey: string }, screenshot?: string): Promise<void> {
  await page.getByLabel('Access key ID').fill(credentials.accessKeyId);
  await page.getByLabel('Secret access key').fill(credentials.secretAccessKey);
  if (screenshot) await shot(page, screenshot);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Nothing of the secret in any storage the page can leave behind. */
async function expectSecretKeptInMemoryOnly(context: BrowserContext, page: Page, secret: string): Promise<void> {
  // A string, evaluated in the page: this file is compiled without the DOM's types.
  const stored = await page.evaluate('({ local: Object.entries(localStorage), session: Object.entries(sessionStorage), cookie: document.cookie })');
  expect(stored).toEqual({ local: [], session: [], cookie: '' });
  expect(await context.cookies()).toEqual([]);
  const state = JSON.stringify(await context.storageState());
  expect(state).not.toContain(secret);
}

describe('the console in a browser', () => {
  it('signs in, uploads with SSE-KMS, shows the envelope, downloads, and refuses the download once the key is disabled', async () => {
    const { KeyMetadata } = await fx.gw.kms.send(new CreateKeyCommand({ Description: "Bob's documents" }));
    const keyId = KeyMetadata!.KeyId!;
    await fx.gw.kms.send(new CreateAliasCommand({ AliasName: 'alias/console-bob', TargetKeyId: keyId }));
    const { context, page, violations } = await openConsole();
    try {
      await signIn(page, fx.gw.credentials, 'login');
      await expectSecretKeptInMemoryOnly(context, page, fx.gw.credentials.secretAccessKey);
      await page.getByRole('button', { name: fx.bucket, exact: true }).waitFor();
      await shot(page, 'buckets');

      await page.getByRole('button', { name: fx.bucket, exact: true }).click();
      const content = randomBytes(200_000);
      await page.locator('input[name=file]').setInputFiles({ name: 'report.bin', mimeType: 'application/octet-stream', buffer: content });
      await page.getByLabel('Encryption').selectOption('alias/console-bob');
      await page.getByRole('button', { name: 'Upload' }).click();
      await shows(page.getByRole('status'), 'Uploaded report.bin');
      const row = page.getByRole('row', { name: /report\.bin/ });
      await shows(row, `aws:kms · ${keyId}`);
      await shot(page, 'objects');
      // The browser's form wrote what the SDK reads back, encrypted under Bob's key.
      const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'report.bin' }));
      expect(got.SSEKMSKeyId).toBe(KeyMetadata!.Arn);
      expect((await bodyBytes(got.Body)).equals(content)).toBe(true);

      await row.getByRole('button', { name: 'Envelope' }).click();
      const envelope = page.locator('[data-envelope="report.bin"]');
      await shows(envelope, KeyMetadata!.Arn!);
      const { recordPath } = await findObjectFiles(fx.gw.dataDir, fx.bucket, 'report.bin');
      const { wrappedDek } = await gatewayRecordIn<{ wrappedDek: string }>(recordPath);
      const fingerprint = createHash('sha256').update(Buffer.from(wrappedDek, 'base64')).digest('hex');
      await shows(envelope.locator('[data-field=blob-sha256]'), fingerprint);
      await shows(envelope.locator('[data-field=segments]'), '4');
      await shows(envelope.locator('[data-field=material-version]'), /^\d+$/);
      await shows(envelope, `arn:aws:s3:::${fx.bucket}/report.bin`);
      expect(await page.content()).not.toContain(wrappedDek);
      await shot(page, 'envelope');

      const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Download' }).click()]);
      expect((await readFile((await download.path())!)).equals(content)).toBe(true);

      await page.getByRole('button', { name: 'Keys', exact: true }).click();
      await page.getByRole('button', { name: keyId }).click();
      await page.getByRole('button', { name: 'Disable key' }).click();
      await shows(page.locator('[data-field=key-state]'), 'Disabled');
      await shows(page.getByRole('row', { name: new RegExp(keyId) }), 'alias/console-bob');
      await shot(page, 'keys');
      // The console's DisableKey is the KMS API's: the SDK sees the key disabled too.
      expect(await errorOf(fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'report.bin' })))).toMatchObject({ name: 'KMS.DisabledException' });

      await page.getByRole('button', { name: 'Buckets', exact: true }).click();
      await page.getByRole('button', { name: fx.bucket, exact: true }).click();
      await page.getByRole('row', { name: /report\.bin/ }).getByRole('button', { name: 'Download' }).click();
      await shows(page.getByRole('alert'), 'KMS.DisabledException');
      await shot(page, 'download-refused');

      await page.getByRole('button', { name: 'Audit trail' }).click();
      await page.getByLabel('Filter value').fill(keyId);
      // The unfiltered list the page opened with stays until the filtered lookup replaces it:
      // wait for that lookup's answer, so the rows counted below are the key's.
      const filtered = page.waitForResponse((r) => r.request().postData()?.includes('"LookupAttributes"') === true);
      await page.getByRole('button', { name: 'Look up' }).click();
      await filtered;
      const refused = page.getByRole('row', { name: /Decrypt.*DisabledException/ });
      await refused.first().waitFor();
      expect(await page.getByRole('row', { name: /DisableKey/ }).count()).toBe(1);
      await shot(page, 'audit');
      await expectSecretKeptInMemoryOnly(context, page, fx.gw.credentials.secretAccessKey);
      expect(violations).toEqual([]);

      // Signing out forgets the key: the page is back at the login form.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('shows a user with narrow policies only what those policies allow', async () => {
    const open = bucketName('console-open');
    const closed = bucketName('console-closed');
    for (const bucket of [open, closed]) {
      await fx.gw.s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await fx.gw.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'note.txt', Body: 'hello' }));
    }
    const { credentials } = await createUser(fx.gw, 'viewer', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:ListAllMyBuckets'], Resource: '*' },
        { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetEncryptionConfiguration'], Resource: `arn:aws:s3:::${open}` },
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: `arn:aws:s3:::${open}/*` },
      ],
    });
    const { context, page, violations } = await openConsole();
    try {
      await signIn(page, credentials);
      await page.getByRole('button', { name: open, exact: true }).click();
      await shows(page.getByRole('row', { name: /note\.txt/ }), 'AES256');
      await page.getByRole('row', { name: /note\.txt/ }).getByRole('button', { name: 'Envelope' }).click();
      await shows(page.locator('[data-envelope="note.txt"]'), 'S3-owned key (SSE-S3)');
      await shot(page, 'limited-open-bucket');

      await page.getByRole('button', { name: '← Buckets' }).click();
      await page.getByRole('button', { name: closed, exact: true }).click();
      await shows(page.getByRole('alert'), 'AccessDenied');
      expect(await page.getByRole('row', { name: /note\.txt/ }).count()).toBe(0);
      await shot(page, 'limited-closed-bucket');

      await page.getByRole('button', { name: 'Keys', exact: true }).click();
      await shows(page.getByRole('alert'), 'AccessDeniedException');
      await page.getByRole('button', { name: 'Audit trail' }).click();
      await shows(page.getByRole('alert'), 'cloudtrail:LookupEvents');
      await shot(page, 'limited-audit');
      await expectSecretKeptInMemoryOnly(context, page, credentials.secretAccessKey);
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('refuses a wrong secret at sign-in', async () => {
    const { context, page } = await openConsole();
    try {
      await page.getByLabel('Access key ID').fill(fx.gw.credentials.accessKeyId);
      await page.getByLabel('Secret access key').fill('wrong-secret-wrong-secret-wrong-secret-00');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await shows(page.getByRole('alert'), 'SignatureDoesNotMatch');
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
