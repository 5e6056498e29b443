/**
 * Debian's s3cmd doing its everyday work with SSE-KMS (--server-side-encryption-kms-id)
 * against a real gateway: put, get, ls, sync both ways, del --recursive; the data
 * directory never holds what was uploaded.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createKmsKey, errorOf, useGatewayWithBucket } from '../harness.js';
import { filesHoldingPlaintext, findObjectFiles } from '../disk.js';
import { expectSameTree, expectSseKms, readTree, runTool, useToolSandbox, writeRandomTree, type Tree } from '../tools.js';

const fx = useGatewayWithBucket('s3cmd');
const sandbox = useToolSandbox(fx);

const S3CMD = '/usr/bin/s3cmd';
const SINGLES = ['single-one.bin', 'single-two.bin'];
const PATHS = ['top.bin', 'a/one.bin', 'a/b/two.bin', 'a/b/c/three.bin', 'with space/ünïcode+plus.bin'];

let keyA: { keyId: string; keyArn: string };
let singles: Tree;
let tree: Tree;

/**
 * Runs s3cmd and requires it to have warned of nothing: it compares the ETag with the MD5 of
 * what it sent or received unless the response says `x-amz-server-side-encryption: aws:kms`,
 * and a mismatch is only a warning on download.
 */
async function s3cmd(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out = await runTool(S3CMD, ['-c', join(sandbox.dir, 's3cfg'), ...args], sandbox.env, sandbox.dir);
  expect(out.stderr).not.toMatch(/WARNING|ERROR/);
  return out;
}

const s3url = (key = ''): string => `s3://${fx.bucket}/${key}`;
const local = (name: string): string => join(sandbox.dir, name);

/** The keys `s3cmd ls --recursive` prints: lines of date, time, size, URL. */
async function listed(): Promise<string[]> {
  const { stdout } = await s3cmd('ls', '--recursive', s3url());
  return stdout.split('\n').filter(Boolean).map((line) => /^\S+ \S+ +\d+ +(s3:\/\/.+)$/.exec(line)![1]!.slice(s3url().length)).sort();
}

beforeAll(async () => {
  keyA = await createKmsKey(fx.gw);
  const host = new URL(fx.gw.endpoint).host;
  // Path style: host_bucket without %(bucket)s. SigV4, as SSE-KMS requires.
  await writeFile(
    local('s3cfg'),
    [
      '[default]',
      `access_key = ${fx.gw.credentials.accessKeyId}`,
      `secret_key = ${fx.gw.credentials.secretAccessKey}`,
      `host_base = ${host}`,
      `host_bucket = ${host}`,
      `bucket_location = ${fx.gw.region}`,
      'use_https = False',
      'signature_v2 = False',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  singles = await writeRandomTree(local('singles'), SINGLES);
  tree = await writeRandomTree(local('up'), PATHS);
});

describe('s3cmd with SSE-KMS', () => {
  it('puts files under the chosen key and gets them back', async () => {
    await s3cmd('put', `--server-side-encryption-kms-id=${keyA.keyId}`, ...SINGLES.map((name) => local(`singles/${name}`)), s3url('put/'));
    await expectSseKms(fx.gw, fx.bucket, SINGLES.map((name) => `put/${name}`), keyA.keyArn);
    for (const name of SINGLES) {
      await s3cmd('get', s3url(`put/${name}`), local(`got-${name}`));
      expect((await readFile(local(`got-${name}`))).equals(singles.get(name)!)).toBe(true);
    }
  });

  it('syncs a nested tree up under the chosen key and lists it', async () => {
    await s3cmd('sync', `--server-side-encryption-kms-id=${keyA.keyId}`, `${local('up')}/`, s3url('synced/'));
    await expectSseKms(fx.gw, fx.bucket, PATHS.map((p) => `synced/${p}`), keyA.keyArn);
    expect(await listed()).toEqual([...SINGLES.map((n) => `put/${n}`), ...PATHS.map((p) => `synced/${p}`)].sort());
  });

  it('syncs the tree back down to an empty directory, byte for byte', async () => {
    await s3cmd('sync', s3url('synced/'), `${local('down')}/`);
    expectSameTree(await readTree(local('down')), tree);
  });

  it('leaves no plaintext of the uploads in the data directory, which does hold the objects', async () => {
    await findObjectFiles(fx.gw.dataDir, fx.bucket, 'put/single-one.bin');
    expect(await filesHoldingPlaintext(fx.gw.dataDir, [...singles.values(), ...tree.values()])).toEqual([]);
  });

  it('removes a prefix with del --recursive, leaving the rest', async () => {
    await s3cmd('del', '--recursive', s3url('synced/'));
    expect(await listed()).toEqual(SINGLES.map((n) => `put/${n}`).sort());
    const gone = await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'synced/a/one.bin' })));
    expect(gone.status).toBe(404);
    expect(await filesHoldingPlaintext(fx.gw.dataDir, [...singles.values(), ...tree.values()])).toEqual([]);
  });
});
