/**
 * Bench figures for CopyObject and ranged reads, against a running gateway:
 *   - CopyObject of a 64 MiB SSE-KMS object to a new SSE-KMS key (decrypt, authenticate,
 *     re-encrypt under a new data key, commit), through @aws-sdk/client-s3.
 *   - a 1 MiB range GET from a 1 GiB object against a GET of a whole 1 MiB object, both
 *     SSE-KMS, over fetch with UNSIGNED-PAYLOAD, median of repeated reads after a warm-up.
 *     The goal: the range within 1.5x of the whole small object, since a range read touches
 *     only the segments it needs.
 * Setup uploads are not timed. Figures are printed, never asserted.
 *
 *   BENCH_COPY_MIB          size of the copied object (default 64)
 *   BENCH_RANGE_OBJECT_MIB  size of the object ranges are read from (default 1024)
 *   BENCH_RANGE_ROUNDS      timed reads of each kind (default 40)
 */
import { randomInt } from 'node:crypto';
import { CopyObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { signHeaders } from '../signing.js';
import { repeatingStream } from '../streams.js';

const MiB = 1024 * 1024;

export interface BenchTarget {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  s3: S3Client;
  bucket: string;
  /** A KMS key id for the SSE-KMS objects. */
  keyId: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function putObject(target: BenchTarget, key: string, size: number): Promise<void> {
  await target.s3.send(new PutObjectCommand({
    Bucket: target.bucket, Key: key, Body: repeatingStream(size), ContentLength: size, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: target.keyId,
  }));
}

/** Milliseconds for one signed GET of `key` (with `range`), the body read to the end. */
async function timedGet(target: BenchTarget, key: string, expectedBytes: number, range?: string): Promise<number> {
  const path = `/${target.bucket}/${key}`;
  const headers = await signHeaders(target.endpoint, target.credentials, 'us-east-1', { method: 'GET', path, headers: range ? { range } : {} }, { payloadHash: 'UNSIGNED-PAYLOAD' });
  const started = performance.now();
  const res = await fetch(new URL(path, target.endpoint), { headers });
  const body = await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== (range ? 206 : 200) || body.byteLength !== expectedBytes) throw new Error(`GET ${key} answered ${res.status} with ${body.byteLength} bytes`);
  return ms;
}

export async function benchCopyAndRange(target: BenchTarget): Promise<string[]> {
  const copySize = Number(process.env.BENCH_COPY_MIB ?? 64) * MiB;
  const bigSize = Number(process.env.BENCH_RANGE_OBJECT_MIB ?? 1024) * MiB;
  const rounds = Number(process.env.BENCH_RANGE_ROUNDS ?? 40);

  await putObject(target, 'copy-source.bin', copySize);
  let t0 = performance.now();
  await target.s3.send(new CopyObjectCommand({
    Bucket: target.bucket, Key: 'copy-dest.bin', CopySource: `${target.bucket}/copy-source.bin`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: target.keyId,
  }));
  const copySeconds = (performance.now() - t0) / 1000;

  t0 = performance.now();
  await putObject(target, 'range-big.bin', bigSize);
  const bigPutSeconds = (performance.now() - t0) / 1000;
  await putObject(target, 'range-small.bin', MiB);
  const ranged: number[] = [];
  const whole: number[] = [];
  const rangeRead = (): Promise<number> => {
    const start = randomInt(0, bigSize - MiB);
    return timedGet(target, 'range-big.bin', MiB, `bytes=${start}-${start + MiB - 1}`);
  };
  for (let i = 0; i < 5; i += 1) {
    await rangeRead();
    await timedGet(target, 'range-small.bin', MiB);
  }
  // Interleaved, so drift in the machine's load falls on both alike.
  for (let i = 0; i < rounds; i += 1) {
    ranged.push(await rangeRead());
    whole.push(await timedGet(target, 'range-small.bin', MiB));
  }
  const [rangeMs, wholeMs] = [median(ranged), median(whole)];
  const copyMib = copySize / MiB;
  return [
    `CopyObject         ${copySeconds.toFixed(2)} s   ${(copyMib / copySeconds).toFixed(0)} MiB/s   ${copyMib} MiB SSE-KMS → new data key, SDK default settings`,
    `range GET          ${rangeMs.toFixed(1)} ms median of ${rounds}   1 MiB at a random offset of a ${bigSize / MiB} MiB object (its PUT: ${bigPutSeconds.toFixed(1)} s, untimed)`,
    `whole 1 MiB GET    ${wholeMs.toFixed(1)} ms median of ${rounds}   range/whole = ${(rangeMs / wholeMs).toFixed(2)}x (goal ≤ 1.5x)`,
  ];
}
