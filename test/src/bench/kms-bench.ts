/**
 * `pnpm bench` (alone: `BENCH_ONLY=kms pnpm bench`): GenerateDataKey + Decrypt pairs per second
 * through the embedded KMS in process — the pair every SSE-KMS PUT and GET costs — with an S3
 * style encryption context, no policies. One key, in-memory keystore, sequential calls (the
 * hot path is synchronous crypto, so concurrency would only measure the event loop). Printed,
 * never asserted. Beside it: what one bare AES-256-GCM seal plus one open (the least any pair
 * can cost) reach on the same machine at the same moment, and the load average, because other
 * work on the machine moves both figures.
 *
 *   BENCH_KMS_PAIRS   pairs per round (default 200000); five rounds, the best and the median shown
 *
 * Then the same pair with the audit trail on (a real file in a temporary folder, two fsynced
 * records per pair), sequentially and from BENCH_KMS_AUDIT_WORKERS concurrent callers, against
 * the same concurrency without the trail: group commit is what keeps the concurrent figure
 * near the no-audit one, since one write+fsync carries every record that arrived meanwhile.
 *
 *   BENCH_KMS_AUDIT_PAIRS    pairs per audited run (default 20000)
 *   BENCH_KMS_AUDIT_WORKERS  concurrent callers (default 64)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KmsCore } from '@kmsgate/kms-core';

const PAIRS = Number(process.env.BENCH_KMS_PAIRS ?? 200_000);
const AUDIT_PAIRS = Number(process.env.BENCH_KMS_AUDIT_PAIRS ?? 20_000);
const AUDIT_WORKERS = Number(process.env.BENCH_KMS_AUDIT_WORKERS ?? 64);
const ROUNDS = 5;
const ACCOUNT = '111122223333';

/** Pairs per second of one bare AES-256-GCM seal and open of 32 bytes: the floor under any pair. */
function gcmFloor(pairs: number): number {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const aad = randomBytes(96);
  const plaintext = randomBytes(32);
  const t0 = performance.now();
  for (let i = 0; i < pairs; i++) {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad);
    const ciphertext = cipher.update(plaintext);
    cipher.final();
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(cipher.getAuthTag());
    decipher.update(ciphertext);
    decipher.final();
  }
  return pairs / ((performance.now() - t0) / 1000);
}

type Pair = () => Promise<void>;

/** A core (audited when `auditPath` is set) with one key, and the pair every SSE-KMS PUT and GET costs. */
async function openBench(auditPath: string | null): Promise<{ core: KmsCore; pair: Pair }> {
  const core = await KmsCore.open({ keystorePath: null, auditPath, rootKey: randomBytes(32), region: 'us-east-1', accountId: ACCOUNT, scheduleIntervalMs: 0 });
  const caller = { arn: `arn:aws:iam::${ACCOUNT}:user/bench`, accountId: ACCOUNT, requestId: 'BENCH', sourceIp: '127.0.0.1', invokedBy: 's3.amazonaws.com' };
  const { KeyMetadata } = await core.createKey({ Description: 'bench' }, caller);
  const context = { 'aws:s3:arn': 'arn:aws:s3:::bench/some/object/key.bin' };
  const pair = async (): Promise<void> => {
    const dk = await core.generateDataKey({ KeyId: KeyMetadata.Arn, KeySpec: 'AES_256', EncryptionContext: context }, caller);
    const out = await core.decrypt({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: context }, caller);
    dk.Plaintext.fill(0);
    out.Plaintext.fill(0);
  };
  return { core, pair };
}

/** Pairs per second of `pairs` pairs spread over `workers` concurrent callers. */
async function rate(pair: Pair, pairs: number, workers: number): Promise<number> {
  let left = pairs;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (left-- > 0) await pair();
    }),
  );
  return pairs / ((performance.now() - t0) / 1000);
}

async function auditFigures(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kmsgate-bench-audit-'));
  const plain = await openBench(null);
  const audited = await openBench(join(dir, 'audit.log'));
  try {
    await rate(plain.pair, 5_000, 1);
    await rate(audited.pair, 1_000, AUDIT_WORKERS);
    const figures: [string, number][] = [
      ['no audit, 1 caller', await rate(plain.pair, AUDIT_PAIRS, 1)],
      ['audit, 1 caller', await rate(audited.pair, Math.min(AUDIT_PAIRS, 2_000), 1)],
      [`no audit, ${AUDIT_WORKERS} callers`, await rate(plain.pair, AUDIT_PAIRS, AUDIT_WORKERS)],
      [`audit, ${AUDIT_WORKERS} callers`, await rate(audited.pair, AUDIT_PAIRS, AUDIT_WORKERS)],
    ];
    for (const [name, value] of figures) console.log(`kms pairs, ${name.padEnd(22)} ${value.toFixed(0)} pairs/s`);
  } finally {
    await plain.core.close();
    await audited.core.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { core, pair } = await openBench(null);
  try {
    for (let i = 0; i < 20_000; i++) await pair(); // warm-up: JIT, material cache
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) rates.push(await rate(pair, PAIRS, 1));
    rates.sort((a, b) => a - b);
    const floor = gcmFloor(PAIRS);
    console.log(`kms GenerateDataKey+Decrypt  best ${rates[ROUNDS - 1].toFixed(0)} pairs/s   median ${rates[ROUNDS >> 1].toFixed(0)} pairs/s   (${ROUNDS} x ${PAIRS} pairs, in process, no policies)`);
    console.log(`bare AES-GCM seal+open       ${floor.toFixed(0)} pairs/s   (the ceiling on this machine right now)`);
  } finally {
    await core.close();
  }
  await auditFigures();
  console.log(`load average                 ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
