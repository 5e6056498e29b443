/**
 * The log at debug level, from the real `kmsgate server`, after header-signed, presigned,
 * aws-chunked and KMS requests, good and bad: no line holds the secret access key, the
 * access key id (inside a credential scope or alone), or any signature a client sent.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { spawnGateway, type GatewayProcess } from '../cli-process.js';
import { seedSignatureOf, signHeaders, signedChunkedBody } from '../signing.js';

const credentials = { accessKeyId: 'AKIAREDACTIONTEST001', secretAccessKey: 'redaction-test-secret/0123456789abcdefABCDEF' };
const region = 'us-east-1';
/** Every signature and Authorization value a client put on the wire during the test. */
const sent: string[] = [];

let dataDir: string;
let gateway: GatewayProcess;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-redact-'));
  gateway = await spawnGateway(dataDir, { KMSGATE_ACCESS_KEY_ID: credentials.accessKeyId, KMSGATE_SECRET_ACCESS_KEY: credentials.secretAccessKey, KMSGATE_ROOT_KEY: Buffer.alloc(32, 9).toString('base64') }, ['--log', 'debug']);
});

afterAll(async () => {
  await gateway.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Records the signed Authorization header of every request a client sends. */
function recording<C extends S3Client | KMSClient>(client: C): C {
  // One middleware for both clients; their stacks differ only in input and output types.
  (client.middlewareStack as S3Client['middlewareStack']).add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      if (headers.authorization) sent.push(headers.authorization, seedSignatureOf(headers.authorization));
      return next(args);
    },
    { step: 'deserialize', name: 'recordAuthorization' },
  );
  return client;
}

async function drive(): Promise<void> {
  const endpoint = gateway.endpoint;
  const s3 = recording(new S3Client({ endpoint, region, credentials, forcePathStyle: true }));
  await s3.send(new CreateBucketCommand({ Bucket: 'logs' }));
  await s3.send(new PutObjectCommand({ Bucket: 'logs', Key: 'a.txt', Body: 'logged', ServerSideEncryption: 'aws:kms' }));
  await s3.send(new GetObjectCommand({ Bucket: 'logs', Key: 'missing' })).catch(() => undefined);

  const presigned = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'logs', Key: 'a.txt' }), { expiresIn: 300 });
  const presignedSignature = new URL(presigned).searchParams.get('X-Amz-Signature')!;
  sent.push(presignedSignature, new URL(presigned).searchParams.get('X-Amz-Credential')!);
  expect((await fetch(presigned)).status).toBe(200);
  // A tampered presigned signature: SignatureDoesNotMatch, whose details are logged.
  const tampered = presigned.replace(presignedSignature, presignedSignature.replace(/^./, (c) => (c === '0' ? '1' : '0')));
  sent.push(new URL(tampered).searchParams.get('X-Amz-Signature')!);
  expect((await fetch(tampered)).status).toBe(403);
  // A SigV2-style presigned URL (not served): its query is logged all the same.
  sent.push('c2lndjJzaWduYXR1cmU=');
  await fetch(`${endpoint}/logs/a.txt?AWSAccessKeyId=${credentials.accessKeyId}&Expires=9999999999&Signature=c2lndjJzaWduYXR1cmU%3D`);
  s3.destroy();

  // Header auth signed with the wrong secret.
  const wrong = recording(new S3Client({ endpoint, region, credentials: { ...credentials, secretAccessKey: 'not-the-secret' }, forcePathStyle: true }));
  await wrong.send(new GetObjectCommand({ Bucket: 'logs', Key: 'a.txt' })).catch(() => undefined);
  wrong.destroy();

  // aws-chunked with a forged chunk: the chunk's string to sign carries the seed signature.
  const signingDate = new Date(Math.floor(Date.now() / 1000) * 1000);
  const amzDate = signingDate.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const chunks = [Buffer.alloc(1000, 1)];
  const headers = await signHeaders(endpoint, credentials, region, { method: 'PUT', path: '/logs/chunked', headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '1000' } }, { payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', signingDate });
  sent.push(headers.authorization!, seedSignatureOf(headers.authorization!));
  const body = signedChunkedBody(chunks, { secret: credentials.secretAccessKey, amzDate, region, seedSignature: seedSignatureOf(headers.authorization!) });
  for (const m of body.toString('latin1').matchAll(/chunk-signature=([0-9a-f]{64})/g)) sent.push(m[1]!);
  body[body.length - 200] ^= 1;
  expect((await fetch(`${endpoint}/logs/chunked`, { method: 'PUT', headers: { ...headers, 'content-length': String(body.length) }, body })).status).toBe(403);

  const kms = recording(new KMSClient({ endpoint, region, credentials }));
  await kms.send(new CreateKeyCommand({}));
  kms.destroy();
}

describe('the debug log', () => {
  it('holds no secret, credential or signature after real requests', async () => {
    await drive();
    await gateway.stop();
    const log = gateway.stderr;
    // The log did record the traffic, including the details of the signature mismatches.
    expect(log).toContain('"msg":"request received"');
    expect(log).toContain('X-Amz-Signature=[REDACTED]');
    expect(log).toContain('"CanonicalRequest"');
    expect(log).toMatch(/"code":"SignatureDoesNotMatch".*"StringToSign":"AWS4-HMAC-SHA256-PAYLOAD/);
    expect(sent.length).toBeGreaterThan(10);
    for (const secret of [credentials.secretAccessKey, credentials.accessKeyId, ...sent]) {
      expect(log).not.toContain(secret);
      // Also not in its URL-encoded or JSON-escaped spellings.
      expect(log).not.toContain(encodeURIComponent(secret));
      expect(log).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
  });
});
