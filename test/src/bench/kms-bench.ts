/**
 * `pnpm bench` (alone: `BENCH_ONLY=kms pnpm bench`): GenerateDataKey + Decrypt pairs per second
 * through the embedded KMS in process — the pair every SSE-KMS PUT and GET costs — with an S3
 * style encryption context: once on a key with the default policy (delegating to the caller's
 * identity policy), once on a key with its own key policy and three grants. One key each, in-memory keystore, sequential calls (the
 * hot path is synchronous crypto, so concurrency would only measure the event loop). Printed,
 * never asserted. Beside it: what one bare AES-256-GCM seal plus one open (the least any pair
 * can cost) reach on the same machine at the same moment, and the load average, because other
 * work on the machine moves both figures.
 *
 *   BENCH_KMS_PAIRS   pairs per round (default 200000); five rounds, the best and the median shown
 */
import { loadavg } from 'node:os';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KmsCore, type Caller } from '@kmsgate/kms-core';

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

type Pair = () => Promise<void>;

async function rates(pair: Pair): Promise<number[]> {
  for (let i = 0; i < 20_000; i++) await pair(); // warm-up: JIT, material cache, parsed policies
  const out: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    for (let i = 0; i < PAIRS; i++) await pair();
    out.push(PAIRS / ((performance.now() - t0) / 1000));
  }
  return out.sort((a, b) => a - b);
}

function pairOn(core: KmsCore, keyId: string, caller: Caller): Pair {
  const context = { 'aws:s3:arn': 'arn:aws:s3:::bench/some/object/key.bin' };
  return async () => {
    const dk = await core.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }, caller);
    const out = await core.decrypt({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: context }, caller);
    dk.Plaintext.fill(0);
    out.Plaintext.fill(0);
  };
}

async function main(): Promise<void> {
  const core = await KmsCore.open({ keystorePath: null, rootKey: randomBytes(32), region: 'us-east-1', accountId: ACCOUNT, scheduleIntervalMs: 0 });
  try {
    const identityPolicies = [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] })];
    const caller: Caller = { arn: `arn:aws:iam::${ACCOUNT}:user/bench`, accountId: ACCOUNT, identityPolicies };
    const plain = (await core.createKey({ Description: 'bench' }, caller)).KeyMetadata.Arn;
    // A key policy naming the caller and others, a Deny for someone else, a condition; three grants for other users.
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Admins', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'Users', Effect: 'Allow', Principal: { AWS: [caller.arn, `arn:aws:iam::${ACCOUNT}:user/other`] }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*', Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::bench/*' } } },
        { Sid: 'NoMallory', Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/mallory` }, Action: 'kms:*', Resource: '*' },
      ],
    });
    const guarded = (await core.createKey({ Description: 'bench policy', Policy: policy }, caller)).KeyMetadata.Arn;
    for (const name of ['g1', 'g2', 'g3']) {
      await core.createGrant({ KeyId: guarded, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:user/${name}`, Operations: ['Decrypt', 'GenerateDataKey'], Constraints: { EncryptionContextSubset: { 'aws:s3:arn': `arn:aws:s3:::${name}/x` } } }, caller);
    }
    const base = await rates(pairOn(core, plain, caller));
    const withPolicy = await rates(pairOn(core, guarded, caller));
    const floor = gcmFloor(PAIRS);
    const median = (r: number[]): number => r[ROUNDS >> 1]!;
    const show = (r: number[]): string => `best ${r[ROUNDS - 1]!.toFixed(0)} pairs/s   median ${median(r).toFixed(0)} pairs/s`;
    console.log(`kms GenerateDataKey+Decrypt  ${show(base)}   (${ROUNDS} x ${PAIRS} pairs, in process, default key policy + identity policy)`);
    console.log(`  with key policy + 3 grants ${show(withPolicy)}   (cost ${((1 - median(withPolicy) / median(base)) * 100).toFixed(1)}% of the median)`);
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
