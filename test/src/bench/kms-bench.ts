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
 */
import { loadavg } from 'node:os';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KmsCore } from '@kmsgate/kms-core';

const PAIRS = Number(process.env.BENCH_KMS_PAIRS ?? 200_000);
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

async function main(): Promise<void> {
  const core = await KmsCore.open({ keystorePath: null, rootKey: randomBytes(32), region: 'us-east-1', accountId: ACCOUNT, scheduleIntervalMs: 0 });
  try {
    const caller = { arn: `arn:aws:iam::${ACCOUNT}:user/bench`, accountId: ACCOUNT };
    const { KeyMetadata } = await core.createKey({ Description: 'bench' }, caller);
    const context = { 'aws:s3:arn': 'arn:aws:s3:::bench/some/object/key.bin' };
    const pair = async (): Promise<void> => {
      const dk = await core.generateDataKey({ KeyId: KeyMetadata.Arn, KeySpec: 'AES_256', EncryptionContext: context }, caller);
      const out = await core.decrypt({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: context }, caller);
      dk.Plaintext.fill(0);
      out.Plaintext.fill(0);
    };
    for (let i = 0; i < 20_000; i++) await pair(); // warm-up: JIT, material cache
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = performance.now();
      for (let i = 0; i < PAIRS; i++) await pair();
      rates.push(PAIRS / ((performance.now() - t0) / 1000));
    }
    rates.sort((a, b) => a - b);
    const floor = gcmFloor(PAIRS);
    console.log(`kms GenerateDataKey+Decrypt  best ${rates[ROUNDS - 1].toFixed(0)} pairs/s   median ${rates[ROUNDS >> 1].toFixed(0)} pairs/s   (${ROUNDS} x ${PAIRS} pairs, in process, no policies)`);
    console.log(`bare AES-GCM seal+open       ${floor.toFixed(0)} pairs/s   (the ceiling on this machine right now)`);
    console.log(`load average                 ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await core.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
