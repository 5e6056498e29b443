/**
 * `pnpm bench`: throughput of a 1 GiB SSE-KMS PUT and GET through @aws-sdk/client-s3, and
 * the gateway's peak RSS. The gateway runs as its own process (the real CLI) so its memory
 * is measured alone. Loopback only. Figures are printed, never asserted.
 *
 *   BENCH_SIZE_MIB   object size in MiB (default 1024)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';

const CLI = fileURLToPath(new URL('../../../gateway/dist/cli.js', import.meta.url));
const MiB = 1024 * 1024;
const size = Number(process.env.BENCH_SIZE_MIB ?? 1024) * MiB;

/** A stream of `total` bytes made of one random MiB repeated: cheap to produce, opaque to AES. */
function source(total: number): Readable {
  const block = randomBytes(MiB);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(MiB, total - sent);
      sent += n;
      this.push(n === MiB ? block : block.subarray(0, n));
    },
  });
}

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-bench-'));
  const accessKeyId = 'AKIABENCHMARK0000001';
  const secretAccessKey = randomBytes(30).toString('base64');
  const child = spawn(process.execPath, [CLI, 'server', '--address', '127.0.0.1:0', '--data-dir', dataDir, '--log', 'error'], {
    env: { PATH: process.env.PATH, KMSGATE_ACCESS_KEY_ID: accessKeyId, KMSGATE_SECRET_ACCESS_KEY: secretAccessKey, KMSGATE_ROOT_KEY: randomBytes(32).toString('base64') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    });
    const credentials = { accessKeyId, secretAccessKey };
    const s3 = new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
    const kms = new KMSClient({ endpoint, region: 'us-east-1', credentials });
    const keyId = (await kms.send(new CreateKeyCommand({ Description: 'bench' }))).KeyMetadata!.KeyId!;
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const idleRss = await peakRssMiB(child.pid!);

    let t0 = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'big.bin', Body: source(size), ContentLength: size, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }));
    const putSeconds = (performance.now() - t0) / 1000;

    t0 = performance.now();
    const got = await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: 'big.bin' }));
    let received = 0;
    await pipeline(got.Body as Readable, new Writable({ write(chunk: Buffer, _e, done) { received += chunk.length; done(); } }));
    const getSeconds = (performance.now() - t0) / 1000;
    if (received !== size) throw new Error(`GET returned ${received} bytes, expected ${size}`);
    const peak = await peakRssMiB(child.pid!);
    s3.destroy();
    kms.destroy();

    const mib = size / MiB;
    console.log(`object size        ${mib} MiB, SSE-KMS, @aws-sdk/client-s3 default settings (stream PUT = aws-chunked + CRC32 trailer)`);
    console.log(`PUT                ${putSeconds.toFixed(2)} s   ${(mib / putSeconds).toFixed(0)} MiB/s`);
    console.log(`GET                ${getSeconds.toFixed(2)} s   ${(mib / getSeconds).toFixed(0)} MiB/s`);
    console.log(`gateway peak RSS   ${peak.toFixed(0)} MiB (after start-up: ${idleRss.toFixed(0)} MiB)`);
  } finally {
    child.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
