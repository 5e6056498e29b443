/**
 * Debian's rclone doing its everyday work with SSE-KMS (server_side_encryption = aws:kms)
 * against a real gateway: copy, sync, and a check that compares every file's MD5 and passes;
 * the data directory never holds what was uploaded.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createKmsKey, errorOf, useGatewayWithBucket } from '../harness.js';
import { filesHoldingPlaintext, findObjectFiles } from '../disk.js';
import { expectSameTree, expectSseKms, readTree, runTool, useToolSandbox, writeRandomTree, type Tree } from '../tools.js';

const fx = useGatewayWithBucket('rclone');
const sandbox = useToolSandbox(fx);

const RCLONE = '/usr/bin/rclone';
const PATHS = ['top.bin', 'a/one.bin', 'a/b/two.bin', 'a/b/c/three.bin', 'with space/ünïcode+plus.bin'];

let keyA: { keyId: string; keyArn: string };
let tree: Tree;
/** Everything uploaded so far, for the plaintext scans. */
const uploaded: Buffer[] = [];

function rclone(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  // One attempt: a failure is a finding, and rclone's retries would only slow it down.
  return runTool(RCLONE, ['--config', join(sandbox.dir, 'rclone.conf'), '--retries', '1', ...args], sandbox.env, sandbox.dir);
}

const remote = (path: string): string => `gw:${fx.bucket}/${path}`;
const local = (name: string): string => join(sandbox.dir, name);

beforeAll(async () => {
  keyA = await createKmsKey(fx.gw);
  await writeFile(
    local('rclone.conf'),
    [
      '[gw]',
      'type = s3',
      'provider = Other',
      `access_key_id = ${fx.gw.credentials.accessKeyId}`,
      `secret_access_key = ${fx.gw.credentials.secretAccessKey}`,
      `endpoint = ${fx.gw.endpoint}`,
      `region = ${fx.gw.region}`,
      'force_path_style = true',
      'server_side_encryption = aws:kms',
      `sse_kms_key_id = ${keyA.keyArn}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  tree = await writeRandomTree(local('up'), PATHS);
  uploaded.push(...tree.values());
});

/**
 * Asserts `rclone check` compared every file of `tree` by its MD5 and found them all equal.
 * The ETag of an SSE-KMS object is no MD5, and rclone knows it from the config: it writes the
 * MD5 into the object's metadata (md5chksum) on upload and reads it back here.
 */
async function expectCheckPasses(source: string, target: string, files: Tree): Promise<void> {
  const { stderr } = await rclone('check', '-vv', source, target);
  expect(stderr).toContain('0 differences found');
  expect(stderr).toContain(`${files.size} matching files`);
  for (const [path, content] of files) expect(stderr).toContain(`${path}: md5 = ${md5Hex(content)} OK`);
  expect(stderr).not.toMatch(/hashes could not be checked/);
}

const md5Hex = (content: Buffer): string => createHash('md5').update(content).digest('hex');

describe('rclone with SSE-KMS', () => {
  it('copies a nested tree under the configured key, and check passes', async () => {
    await rclone('copy', local('up'), remote('copied'));
    await expectSseKms(fx.gw, fx.bucket, PATHS.map((p) => `copied/${p}`), keyA.keyArn);
    await expectCheckPasses(local('up'), remote('copied'), tree);
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'copied/top.bin' }));
    expect(head.Metadata?.md5chksum).toBe(createHash('md5').update(tree.get('top.bin')!).digest('base64'));
  });

  it('copies the tree back down, byte for byte', async () => {
    await rclone('copy', remote('copied'), local('down'));
    expectSameTree(await readTree(local('down')), tree);
  });

  it('syncs a changed tree: new files uploaded under the key, removed ones deleted, and check passes', async () => {
    await rclone('sync', local('up'), remote('synced'));
    await rm(local('up/a/one.bin'));
    tree.delete('a/one.bin');
    const added = await writeRandomTree(local('up'), ['a/b/new.bin']);
    for (const [path, content] of added) tree.set(path, content);
    uploaded.push(...added.values());
    await rclone('sync', local('up'), remote('synced'));
    expect((await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'synced/a/one.bin' })))).status).toBe(404);
    await expectSseKms(fx.gw, fx.bucket, [...tree.keys()].map((p) => `synced/${p}`), keyA.keyArn);
    await expectCheckPasses(local('up'), remote('synced'), tree);
  });

  it('check finds an object of the same size and other content', async () => {
    const [impostor] = (await writeRandomTree(local('impostor'), ['top.bin'])).values();
    expect(impostor!.length).toBe(tree.get('top.bin')!.length);
    uploaded.push(impostor!);
    await rclone('copyto', local('impostor/top.bin'), remote('synced/top.bin'));
    const failed = await rclone('check', local('up'), remote('synced')).catch((err: Error) => err.message);
    expect(failed).toContain('1 differences found');
    expect(failed).toContain(`${tree.size - 1} matching files`);
  });

  it('leaves no plaintext of the uploads in the data directory, which does hold the objects', async () => {
    await findObjectFiles(fx.gw.dataDir, fx.bucket, 'copied/a/b/two.bin');
    expect(await filesHoldingPlaintext(fx.gw.dataDir, uploaded)).toEqual([]);
  });

  it('purges a prefix, leaving the rest', async () => {
    await rclone('purge', remote('copied'));
    expect((await rclone('lsf', '--recursive', '--files-only', remote(''))).stdout.split('\n').filter(Boolean).sort()).toEqual(
      [...tree.keys()].map((p) => `synced/${p}`).sort(),
    );
    expect(await filesHoldingPlaintext(fx.gw.dataDir, uploaded)).toEqual([]);
  });
});
