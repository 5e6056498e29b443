/**
 * Debian's AWS CLI doing its everyday S3 work with SSE-KMS against a real gateway: a nested
 * tree synced up and down, listed, moved, copied under another key, removed, and the bucket
 * removed by force; the data directory never holds what was uploaded.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { bodyBytes, createKmsKey, errorOf, useGatewayWithBucket } from '../harness.js';
import { filesHoldingPlaintext, findObjectFiles } from '../disk.js';
import { expectSameTree, expectSseKms, readTree, runTool, useToolSandbox, writeRandomTree, type Tree } from '../tools.js';

const fx = useGatewayWithBucket('awscli');
const sandbox = useToolSandbox(fx);

// Debian's CLI, whatever other `aws` comes first on PATH.
const AWS = '/usr/bin/aws';
const PATHS = ['top.txt', 'a/one.bin', 'a/b/two.bin', 'a/b/c/three.bin', 'a/b/c/d/deep+plus.bin', 'with space/ünïcode.txt'];

let keyA: { keyId: string; keyArn: string };
let keyB: { keyId: string; keyArn: string };
let tree: Tree;
/** Everything uploaded so far, for the plaintext scans. */
const uploaded: Buffer[] = [];

function aws(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return runTool(AWS, ['--endpoint-url', fx.gw.endpoint, ...args], sandbox.env, sandbox.dir);
}

const s3url = (key = ''): string => `s3://${fx.bucket}/${key}`;
const local = (name: string): string => join(sandbox.dir, name);

/** Key and size of every object, from `s3 ls --recursive`: lines of date, time, size, key. */
async function listed(): Promise<[string, number][]> {
  const { stdout } = await aws('s3', 'ls', '--recursive', s3url());
  return stdout.split('\n').filter(Boolean).map((line) => {
    const [, size, key] = /^\S+ \S+ +(\d+) (.+)$/.exec(line)!;
    return [key!, Number(size)];
  });
}

beforeAll(async () => {
  keyA = await createKmsKey(fx.gw);
  keyB = await createKmsKey(fx.gw);
  tree = await writeRandomTree(local('up'), PATHS);
  uploaded.push(...tree.values());
});

describe('the AWS CLI with SSE-KMS', () => {
  it('syncs a nested tree up under the chosen key, and a second sync has nothing to do', async () => {
    const { stdout } = await aws('s3', 'sync', local('up'), s3url('tree'), '--sse', 'aws:kms', '--sse-kms-key-id', keyA.keyId);
    expect(stdout.match(/^upload: /gm)).toHaveLength(PATHS.length);
    await expectSseKms(fx.gw, fx.bucket, PATHS.map((p) => `tree/${p}`), keyA.keyArn);
    const again = await aws('s3', 'sync', local('up'), s3url('tree'), '--sse', 'aws:kms', '--sse-kms-key-id', keyA.keyId);
    expect(again.stdout).toBe('');
  });

  it('lists the tree with s3 ls --recursive, sizes and keys as uploaded', async () => {
    expect((await listed()).sort()).toEqual(PATHS.map((p) => [`tree/${p}`, tree.get(p)!.length]).sort());
  });

  it('syncs the tree back down to an empty directory, byte for byte', async () => {
    await aws('s3', 'sync', s3url('tree'), local('down'));
    expectSameTree(await readTree(local('down')), tree);
  });

  it('moves an object between keys with s3 mv, keeping SSE-KMS', async () => {
    await aws('s3', 'mv', s3url('tree/top.txt'), s3url('moved/top.txt'), '--sse', 'aws:kms', '--sse-kms-key-id', keyA.keyId);
    expect((await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'tree/top.txt' })))).status).toBe(404);
    await expectSseKms(fx.gw, fx.bucket, ['moved/top.txt'], keyA.keyArn);
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'moved/top.txt' }));
    expect((await bodyBytes(got.Body)).equals(tree.get('top.txt')!)).toBe(true);
  });

  it('copies an object under another KMS key with s3api copy-object', async () => {
    const { stdout } = await aws(
      's3api', 'copy-object', '--bucket', fx.bucket, '--key', 'rekeyed/one.bin', '--copy-source', `${fx.bucket}/tree/a/one.bin`,
      '--server-side-encryption', 'aws:kms', '--ssekms-key-id', keyB.keyId,
    );
    const out = JSON.parse(stdout) as { ServerSideEncryption?: string; SSEKMSKeyId?: string };
    expect(out).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyB.keyArn });
    await expectSseKms(fx.gw, fx.bucket, ['rekeyed/one.bin'], keyB.keyArn);
    await expectSseKms(fx.gw, fx.bucket, ['tree/a/one.bin'], keyA.keyArn);
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'rekeyed/one.bin' }));
    expect((await bodyBytes(got.Body)).equals(tree.get('a/one.bin')!)).toBe(true);
  });

  it('leaves no plaintext of the uploads in the data directory, which does hold the objects', async () => {
    const { dataPath } = await findObjectFiles(fx.gw.dataDir, fx.bucket, 'tree/a/b/two.bin');
    expect(dataPath.startsWith(fx.gw.dataDir)).toBe(true);
    expect(await filesHoldingPlaintext(fx.gw.dataDir, uploaded)).toEqual([]);
  });

  it('removes a prefix with s3 rm --recursive, leaving the rest', async () => {
    const before = await listed();
    expect(before.some(([key]) => key.startsWith('tree/'))).toBe(true);
    await aws('s3', 'rm', '--recursive', s3url('tree/'));
    expect(await listed()).toEqual(before.filter(([key]) => !key.startsWith('tree/')));
  });

  it('removes the bucket and what is left in it with s3 rb --force', async () => {
    await aws('s3', 'rb', '--force', s3url());
    expect((await errorOf(fx.gw.s3.send(new HeadBucketCommand({ Bucket: fx.bucket })))).status).toBe(404);
    expect(await filesHoldingPlaintext(fx.gw.dataDir, uploaded)).toEqual([]);
  });
});
