/**
 * Drives Debian's S3 tools (the AWS CLI, boto3, s3cmd, rclone) as child processes against a
 * test gateway. Each test file gets a sandbox directory of its own for the tool's config,
 * HOME and local files, so nothing of the user's (~/.aws, ~/.s3cfg, rclone.conf) is read and
 * nothing the tool writes lands in the data directory that the plaintext scan reads.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, expect } from '@jest/globals';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { allFiles } from './disk.js';
import { type GatewayFixture, type TestGateway } from './harness.js';

export interface ToolSandbox {
  /** A fresh directory outside the gateway's data directory. */
  readonly dir: string;
  /** HOME, locale and AWS config files inside `dir`; no credentials from this process. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Registers hooks that make a sandbox once the fixture's gateway runs, with an AWS config
 * (path-style addressing, the gateway's region) and credentials file of its own, read by
 * both the AWS CLI and boto3.
 */
export function useToolSandbox(fx: GatewayFixture): ToolSandbox {
  const sandbox = {} as { dir: string; env: NodeJS.ProcessEnv };
  beforeAll(async () => {
    const { gw } = fx;
    sandbox.dir = await mkdtemp(join(tmpdir(), 'kmsgate-tool-'));
    const configFile = join(sandbox.dir, 'aws-config');
    const credentialsFile = join(sandbox.dir, 'aws-credentials');
    await writeFile(configFile, `[default]\nregion = ${gw.region}\ns3 =\n  addressing_style = path\n`);
    await writeFile(
      credentialsFile,
      `[default]\naws_access_key_id = ${gw.credentials.accessKeyId}\naws_secret_access_key = ${gw.credentials.secretAccessKey}\n`,
      { mode: 0o600 },
    );
    // Built from nothing rather than from process.env: AWS_CA_BUNDLE, AWS_PROFILE or a
    // proxy of the caller's must not reach the tools (rclone 1.60 fails on AWS_CA_BUNDLE).
    sandbox.env = {
      PATH: '/usr/bin:/bin',
      HOME: sandbox.dir,
      LC_ALL: 'C.UTF-8',
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      AWS_EC2_METADATA_DISABLED: 'true',
      PYTHONNOUSERSITE: '1',
    };
  });
  afterAll(async () => {
    if (sandbox.dir) await rm(sandbox.dir, { recursive: true, force: true });
  });
  return sandbox;
}

/** Runs a tool; a failure reports the command line and everything the tool printed. */
export function runTool(file: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message.split('\n')[0]}\nstdout: ${stdout}\nstderr: ${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** A file tree: relative path (with '/' separators) → content. */
export type Tree = Map<string, Buffer>;

/**
 * Writes a nested tree of small files of random content under `root`: random bytes cannot
 * turn up in ciphertext or records by chance, so the plaintext scan means something.
 * Sizes stay far below any tool's multipart threshold.
 */
export async function writeRandomTree(root: string, paths: readonly string[]): Promise<Tree> {
  const tree: Tree = new Map();
  for (const [i, path] of paths.entries()) {
    const content = randomBytes(1000 + i * 1531);
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
    tree.set(path, content);
  }
  return tree;
}

/** Every file under `root`, as a tree. */
export async function readTree(root: string): Promise<Tree> {
  const tree: Tree = new Map();
  for (const file of await allFiles(root)) tree.set(relative(root, file), await readFile(file));
  return tree;
}

/** Asserts two trees hold the same paths with the same bytes. */
export function expectSameTree(actual: Tree, expected: Tree): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [path, content] of expected) expect({ path, same: actual.get(path)?.equals(content) }).toEqual({ path, same: true });
}

/** Asserts, through the JS SDK, that each object is stored with SSE-KMS under `keyArn`. */
export async function expectSseKms(gw: TestGateway, bucket: string, keys: Iterable<string>, keyArn: string): Promise<void> {
  for (const key of keys) {
    const head = await gw.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect({ key, sse: head.ServerSideEncryption, keyId: head.SSEKMSKeyId }).toEqual({ key, sse: 'aws:kms', keyId: keyArn });
  }
}
