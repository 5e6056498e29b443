/**
 * `kmsgate server` as a user runs it: first start generates and prints the admin
 * credentials once and a root key with a warning, files are private, a restart keeps
 * everything, and `kmsgate credentials` prints the stored key again.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { bodyBytes } from '../harness.js';
import { allFiles } from '../disk.js';
import { CLI, spawnGateway, type GatewayProcess } from '../cli-process.js';

const running: GatewayProcess[] = [];

afterEach(async () => {
  for (const gateway of running.splice(0)) await gateway.stop();
});

async function startServer(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  const gateway = await spawnGateway(dataDir, env);
  running.push(gateway);
  return gateway;
}

describe('kmsgate server', () => {
  it('bootstraps credentials and a root key once, keeps them private, and survives a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-cli-'));
    try {
      const first = await startServer(dataDir);
      const id = /AWS_ACCESS_KEY_ID=(\S+)/.exec(first.stdout)![1]!;
      const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(first.stdout)![1]!;
      expect(first.stderr).toMatch(/warning: generated a root key/);
      const s3 = new S3Client({ endpoint: first.endpoint, region: 'us-east-1', credentials: { accessKeyId: id, secretAccessKey: secret }, forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'cli-bucket' }));
      await s3.send(new PutObjectCommand({ Bucket: 'cli-bucket', Key: 'k', Body: 'kept', ServerSideEncryption: 'aws:kms' }));
      s3.destroy();

      for (const file of await allFiles(dataDir)) {
        expect(((await stat(file)).mode & 0o077).toString(8)).toBe('0');
      }
      expect(((await stat(dataDir)).mode & 0o077).toString(8)).toBe('0');
      await first.stop();

      const second = await startServer(dataDir);
      expect(second.stdout).not.toContain(secret);
      expect(second.stdout).toContain(`admin access key id: ${id}`);
      const again = new S3Client({ endpoint: second.endpoint, region: 'us-east-1', credentials: { accessKeyId: id, secretAccessKey: secret }, forcePathStyle: true });
      const got = await again.send(new GetObjectCommand({ Bucket: 'cli-bucket', Key: 'k' }));
      expect((await bodyBytes(got.Body)).toString()).toBe('kept');
      again.destroy();
      await second.stop();

      const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'credentials', '--data-dir', dataDir]);
      expect(stdout).toBe(`AWS_ACCESS_KEY_ID=${id}\nAWS_SECRET_ACCESS_KEY=${secret}\n`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('takes credentials and the root key from the environment and writes neither', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-cli-'));
    try {
      const rootKey = Buffer.alloc(32, 7).toString('base64');
      const started = await startServer(dataDir, { KMSGATE_ACCESS_KEY_ID: 'AKIAENVIRONMENT00001', KMSGATE_SECRET_ACCESS_KEY: 'environment-secret', KMSGATE_ROOT_KEY: rootKey });
      expect(started.stdout).toContain('admin access key id: AKIAENVIRONMENT00001');
      expect(started.stderr).not.toMatch(/root key/);
      const s3 = new S3Client({ endpoint: started.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAENVIRONMENT00001', secretAccessKey: 'environment-secret' }, forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'env-bucket' }));
      s3.destroy();
      await started.stop();
      const names = (await allFiles(dataDir)).map((f) => f.slice(dataDir.length));
      expect(names.some((n) => n.endsWith('root.key') || n.endsWith('identity.json'))).toBe(false);
      for (const file of await allFiles(dataDir)) {
        expect((await readFile(file)).includes(Buffer.from('environment-secret'))).toBe(false);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses bad options with usage', async () => {
    const failure = await promisify(execFile)(process.execPath, [CLI, 'server', '--bogus', 'x']).catch((e: { code: number; stderr: string }) => e);
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr).toContain('usage: kmsgate');
  });
});
