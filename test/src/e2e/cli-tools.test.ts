/**
 * The AWS CLI from Debian and curl's --aws-sigv4 against a real gateway.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { bodyBytes, createKmsKey, useGatewayWithBucket } from '../harness.js';
import { s3ErrorOf } from '../xml.js';

const fx = useGatewayWithBucket('cli');

const run = promisify(execFile);
const AWS = '/usr/bin/aws';
const CURL = '/usr/bin/curl';

let keyArn: string;
let keyId: string;

beforeAll(async () => {
  ({ keyArn, keyId } = await createKmsKey(fx.gw));
  // Path-style addressing, as for any endpoint without wildcard DNS.
  await writeFile(fx.gw.env.AWS_CONFIG_FILE!, '[default]\ns3 =\n  addressing_style = path\n');
});

function aws(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(AWS, ['--endpoint-url', fx.gw.endpoint, ...args], { env: fx.gw.env, maxBuffer: 16 * 1024 * 1024 });
}

describe('AWS CLI', () => {
  it('copies a file up with --sse aws:kms and back down, and head-object shows the key ARN', async () => {
    const source = join(fx.gw.dataDir, 'upload.bin');
    const target = join(fx.gw.dataDir, 'download.bin');
    const content = randomBytes(1024 * 1024 + 3);
    await writeFile(source, content);
    await aws('s3', 'cp', source, `s3://${fx.bucket}/cli/upload.bin`, '--sse', 'aws:kms', '--sse-kms-key-id', keyId);
    await aws('s3', 'cp', `s3://${fx.bucket}/cli/upload.bin`, target);
    expect((await readFile(target)).equals(content)).toBe(true);
    const head = JSON.parse((await aws('s3api', 'head-object', '--bucket', fx.bucket, '--key', 'cli/upload.bin')).stdout) as Record<string, unknown>;
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(keyArn);
    expect(head.ContentLength).toBe(content.length);
  });

  it('creates a KMS key with aws kms create-key', async () => {
    const out = JSON.parse((await aws('kms', 'create-key', '--description', 'from the cli')).stdout) as { KeyMetadata: Record<string, unknown> };
    expect(out.KeyMetadata.Description).toBe('from the cli');
    expect(out.KeyMetadata.Arn).toMatch(new RegExp(`^arn:aws:kms:${fx.gw.region}:${fx.gw.accountId}:key/`));
    expect(typeof out.KeyMetadata.CreationDate).toBe('string');
  });

  it('reports S3 errors from the gateway', async () => {
    const failure = await aws('s3api', 'head-object', '--bucket', fx.bucket, '--key', 'no-such-key').catch((e: { stderr: string }) => e);
    expect((failure as { stderr: string }).stderr).toMatch(/404|Not Found/);
  });
});

describe('curl', () => {
  it('uploads with --aws-sigv4 and SSE-KMS headers', async () => {
    const file = join(fx.gw.dataDir, 'curl.txt');
    await writeFile(file, 'uploaded by curl\n');
    const { stdout } = await run(CURL, [
      '-sS', '--fail-with-body', '-D', '-', '-o', '/dev/null',
      '--aws-sigv4', `aws:amz:${fx.gw.region}:s3`,
      '--user', `${fx.gw.credentials.accessKeyId}:${fx.gw.credentials.secretAccessKey}`,
      // Debian's curl (7.88) neither sends nor signs a payload hash by itself; S3 requires one.
      '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD',
      '-H', 'x-amz-server-side-encryption: aws:kms',
      '-H', `x-amz-server-side-encryption-aws-kms-key-id: ${keyId}`,
      '-T', file,
      `${fx.gw.endpoint}/${fx.bucket}/curl/upload.txt`,
    ]);
    expect(stdout).toMatch(/^HTTP\/1\.1 200 OK/m);
    expect(stdout.toLowerCase()).toContain(`x-amz-server-side-encryption-aws-kms-key-id: ${keyArn.toLowerCase()}`);
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'curl/upload.txt' }));
    expect(head.SSEKMSKeyId).toBe(keyArn);
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'curl/upload.txt' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('uploaded by curl\n');
    const download = await run(CURL, [
      '-sS', '--fail-with-body',
      '--aws-sigv4', `aws:amz:${fx.gw.region}:s3`,
      '--user', `${fx.gw.credentials.accessKeyId}:${fx.gw.credentials.secretAccessKey}`,
      '-H', `x-amz-content-sha256: ${createHash('sha256').update('').digest('hex')}`,
      `${fx.gw.endpoint}/${fx.bucket}/curl/upload.txt`,
    ]);
    expect(download.stdout).toBe('uploaded by curl\n');
  });

  it('downloads through a presigned URL', async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'presigned me.txt', Body: 'shared secret', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }));
    const url = await getSignedUrl(fx.gw.s3, new GetObjectCommand({ Bucket: fx.bucket, Key: 'presigned me.txt' }), { expiresIn: 300 });
    const { stdout } = await run(CURL, ['-sS', '--fail-with-body', url]);
    expect(stdout).toBe('shared secret');
    const tampered = url.replace('presigned%20me.txt', 'presigned%20you.txt');
    const refused = await run(CURL, ['-sS', '-o', '-', '-w', '%{http_code}', tampered]);
    expect(refused.stdout.slice(-3)).toBe('403');
    expect(s3ErrorOf(refused.stdout.slice(0, -3)).code).toBe('SignatureDoesNotMatch');
  });
});
