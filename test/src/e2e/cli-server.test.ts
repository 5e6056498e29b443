/**
 * `kmsgate server` as a user runs it: first start generates and prints the admin
 * credentials once and a root key with a warning, files are private, a restart keeps
 * everything, and `kmsgate credentials` prints the stored key again.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
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

async function startServer(dataDir: string, env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<GatewayProcess> {
  const gateway = await spawnGateway(dataDir, env, args);
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

  it('refuses the secrets as plain flags, and takes them from files that never show in the process list', async () => {
    for (const [flag, variable, fileFlag] of [['--secret-access-key', 'KMSGATE_SECRET_ACCESS_KEY', '--secret-access-key-file'], ['--root-key', 'KMSGATE_ROOT_KEY', '--root-key-file']]) {
      const failure = (await promisify(execFile)(process.execPath, [CLI, 'server', flag, 'visible-to-ps']).catch((e: unknown) => e)) as { code: number; stderr: string };
      expect(failure.code).toBe(2);
      expect(failure.stderr).toContain(`${flag} is not accepted`);
      expect(failure.stderr).toContain(variable);
      expect(failure.stderr).toContain(fileFlag);
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-cli-'));
    const secretsDir = await mkdtemp(join(tmpdir(), 'kmsgate-secrets-'));
    try {
      const secret = 'secret-from-a-file-0123456789';
      const rootKey = Buffer.alloc(32, 5).toString('base64');
      await writeFile(join(secretsDir, 'secret'), secret + '\n', { mode: 0o600 });
      await writeFile(join(secretsDir, 'root'), rootKey + '\n', { mode: 0o600 });
      const started = await startServer(dataDir, { KMSGATE_ACCESS_KEY_ID: 'AKIAFROMFILE00000001' }, ['--secret-access-key-file', join(secretsDir, 'secret'), '--root-key-file', join(secretsDir, 'root')]);
      const cmdline = await readFile(`/proc/${started.child.pid}/cmdline`, 'utf8');
      expect(cmdline).toContain('--secret-access-key-file');
      expect(cmdline).not.toContain(secret);
      expect(cmdline).not.toContain(rootKey);
      const s3 = new S3Client({ endpoint: started.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAFROMFILE00000001', secretAccessKey: secret }, forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'file-bucket' }));
      s3.destroy();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
      await rm(secretsDir, { recursive: true, force: true });
    }
  });
});

describe('one kmsgate per data directory', () => {
  it('refuses a second server on the same directory, takes over after a SIGKILL, and releases on stop', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-lock-'));
    try {
      const first = await startServer(dataDir);
      const second = await spawnGateway(dataDir).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(Error);
      expect(String(second)).toMatch(/gateway exited with 1/);
      expect(String(second)).toContain(`the data directory ${dataDir} is in use by another kmsgate (pid ${first.child.pid}`);
      // The refused process left the running one alone.
      const id = /AWS_ACCESS_KEY_ID=(\S+)/.exec(first.stdout)![1]!;
      const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(first.stdout)![1]!;
      const s3 = new S3Client({ endpoint: first.endpoint, region: 'us-east-1', credentials: { accessKeyId: id, secretAccessKey: secret }, forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'still-served' }));
      s3.destroy();

      const killed = new Promise((done) => first.child.once('close', done));
      first.child.kill('SIGKILL');
      await killed;
      // The killed process could not remove its lock; the next start finds it stale.
      await access(join(dataDir, 'kmsgate.lock'));
      const third = await startServer(dataDir);
      expect(third.stdout).toContain(`admin access key id: ${id}`);
      const lock = JSON.parse(await readFile(join(dataDir, 'kmsgate.lock'), 'utf8')) as { pid: number };
      expect(lock.pid).toBe(third.child.pid);
      await third.stop();
      await expect(access(join(dataDir, 'kmsgate.lock'))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
