/**
 * The servers of the peer bench, each its own process on a loopback port so its memory
 * and CPU are its own: kmsgate through its real CLI, and s3rver (a pinned dev dependency) run
 * with --openssl-legacy-provider, without which it cannot list past 1000 keys on Node 20; and
 * the floor (floor-server.ts), the small-object reference.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { spawnGateway } from '../cli-process.js';
import { LiteClient, type LiteTarget } from './lite-client.js';

export interface BenchServer extends LiteTarget {
  readonly name: string;
  readonly dataDir: string;
  readonly pid: number;
  /** Path-style SDK client that sends plain bodies (s3rver stores aws-chunked framing as data). */
  readonly s3: S3Client;
  /** Resets the process's peak RSS, so the next reading covers what follows only. */
  resetPeakRss(): Promise<void>;
  peakRssMiB(): Promise<number>;
  stop(): Promise<void>;
}

export const BUCKET = 'bench';
const REGION = 'us-east-1';

function sdkClient(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({ endpoint, region: REGION, credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
}

function rssTools(pid: number): Pick<BenchServer, 'resetPeakRss' | 'peakRssMiB'> {
  return {
    // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux).
    resetPeakRss: () => writeFile(`/proc/${pid}/clear_refs`, '5'),
    peakRssMiB: async () => Number(/VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) / 1024,
  };
}

/** `env` adds to the gateway's environment; `nodeArgs` go to node (--cpu-prof for a profile). */
export async function startKmsgate(dataDir: string, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<BenchServer> {
  const credentials = { accessKeyId: 'AKIABENCHMARK0000001', secretAccessKey: randomBytes(30).toString('base64') };
  const gateway = await spawnGateway(dataDir, {
    KMSGATE_ACCESS_KEY_ID: credentials.accessKeyId, KMSGATE_SECRET_ACCESS_KEY: credentials.secretAccessKey, KMSGATE_ROOT_KEY: randomBytes(32).toString('base64'), ...env,
  }, ['--log', 'error'], nodeArgs);
  const s3 = sdkClient(gateway.endpoint, credentials);
  const kms = new KMSClient({ endpoint: gateway.endpoint, region: REGION, credentials });
  const keyId = (await kms.send(new CreateKeyCommand({ Description: 'peer bench' }))).KeyMetadata!.KeyId!;
  kms.destroy();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  return {
    name: 'kmsgate', dataDir, pid: gateway.child.pid!, endpoint: gateway.endpoint, credentials, region: REGION, s3,
    putHeaders: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': keyId },
    ...rssTools(gateway.child.pid!),
    stop: async () => {
      s3.destroy();
      await gateway.stop();
    },
  };
}

interface ServerProcess {
  readonly pid: number;
  readonly endpoint: string;
  /** SIGTERM, then waits for the process to close; nothing if it has already gone. */
  stop(): Promise<void>;
}

/** Runs a server script under node and waits for the `listening on <ip>:<port>` line it prints. */
async function spawnListening(name: string, args: readonly string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${err}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening on ([\d.]+):(\d+)/.exec(out);
      if (match) resolve(`http://${match[1]}:${match[2]}`);
    });
  });
  child.removeAllListeners('exit');
  return {
    pid: child.pid!,
    endpoint,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const closed = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await closed;
    },
  };
}

export async function startS3rver(dataDir: string): Promise<BenchServer> {
  const bin = join(dirname(createRequire(import.meta.url).resolve('s3rver/package.json')), 'bin', 's3rver.js');
  const server = await spawnListening('s3rver', ['--openssl-legacy-provider', bin, '-d', dataDir, '-a', '127.0.0.1', '-p', '0', '--silent']);
  // s3rver's built-in account.
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const s3 = sdkClient(server.endpoint, credentials);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  return {
    name: 's3rver', dataDir, pid: server.pid, endpoint: server.endpoint, credentials, region: REGION, s3, putHeaders: {},
    ...rssTools(server.pid),
    stop: async () => {
      s3.destroy();
      await server.stop();
    },
  };
}

/** The floor (floor-server.ts): small-object loads only, so no SDK client and no RSS tools. */
export interface FloorServer extends LiteTarget {
  readonly name: 'floor';
  readonly pid: number;
  stop(): Promise<void>;
}

// The built script, from this file's source (under jest) as from its build.
const FLOOR_SCRIPT = fileURLToPath(new URL('../../dist/bench/floor-server.js', import.meta.url));

export async function startFloor(dataDir: string): Promise<FloorServer> {
  await mkdir(dataDir, { recursive: true });
  const server = await spawnListening('the floor server', [FLOOR_SCRIPT, dataDir]);
  return { ...server, name: 'floor', credentials: { accessKeyId: 'FLOOR', secretAccessKey: 'FLOOR' }, region: REGION, putHeaders: {} };
}

/**
 * Runs `load` against a kmsgate of its own (a fresh data folder under the temp folder, the
 * light client with `sockets` sockets), then stops it and removes the folder: for the
 * benches that measure kmsgate alone.
 */
export async function withKmsgateAlone(
  options: { sockets: number; nodeArgs?: string[] },
  load: (server: BenchServer, client: LiteClient) => Promise<void>,
): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'kmsgate-bench-'));
  const server = await startKmsgate(root, {}, options.nodeArgs);
  const client = new LiteClient(server, options.sockets);
  try {
    await load(server, client);
  } finally {
    client.destroy();
    await server.stop();
    await rm(root, { recursive: true, force: true });
  }
}
