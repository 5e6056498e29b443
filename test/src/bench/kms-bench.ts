/**
 * `pnpm bench` (alone: `BENCH_ONLY=kms pnpm bench`): GenerateDataKey + Decrypt pairs per second
 * through the embedded KMS in process — the pair every SSE-KMS PUT and GET costs — with an S3
 * style encryption context, twice: on a key with the default key policy (the account root,
 * delegating to the caller's identity policy) and on a key with its own key policy (an Allow
 * by ARN with a context condition, a Deny for someone else) and three grants for other users.
 * In-memory keystore, sequential calls (the hot path is synchronous crypto, so concurrency would
 * only measure the event loop). Printed, never asserted.
 *
 * Each pair does what the gateway asks of the KMS for one PUT and one GET: a fresh caller and a
 * fresh context object per call, naming an object no earlier pair named (so nothing that hangs on
 * the context's identity or value is served from a cache an S3 workload would never hit).
 * Beside it, two floors measured in the same rounds: one bare AES-256-GCM seal plus one open (the
 * least any pair can cost), and the same with the blob format's XAES-256-GCM key derivation (two
 * AES blocks under a kept key per blob) — the least a pair in this format can cost. Rounds run
 * every workload once, in an order that turns each round, after a warm-up of each, so neither
 * the first workload nor a burst of other load on the machine lands on one figure alone. The
 * load average is printed too, because other work on the machine moves every figure.
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
import { KmsCore, type Caller } from '@kmsgate/kms-core';

const PAIRS = Number(process.env.BENCH_KMS_PAIRS ?? 200_000);
const AUDIT_PAIRS = Number(process.env.BENCH_KMS_AUDIT_PAIRS ?? 20_000);
const AUDIT_WORKERS = Number(process.env.BENCH_KMS_AUDIT_WORKERS ?? 64);
const ROUNDS = 5;
const WARM_UP_MS = 1500;
const ACCOUNT = '111122223333';

/** Runs `pairs` pairs, one after the other. */
type Pairs = (pairs: number) => Promise<void>;

/**
 * One bare AES-256-GCM seal and open of a 32-byte data key per pair; with `derive`, each under
 * a GCM key first cut from two AES blocks of one kept ECB context, as an XAES-256-GCM blob's is
 * (its sixteen-byte K1 xor left out).
 */
function gcmPairs(derive: boolean): Pairs {
  const key = randomBytes(32);
  const ecb = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  const blocks = randomBytes(32);
  const nonce = randomBytes(12);
  const aad = randomBytes(96);
  const plaintext = randomBytes(32);
  const gcmKey = (): Buffer => (derive ? ecb.update(blocks) : key);
  return (pairs) => {
    for (let i = 0; i < pairs; i++) {
      const cipher = createCipheriv('aes-256-gcm', gcmKey(), nonce);
      cipher.setAAD(aad);
      const ciphertext = cipher.update(plaintext);
      cipher.final();
      const decipher = createDecipheriv('aes-256-gcm', gcmKey(), nonce);
      decipher.setAAD(aad);
      decipher.setAuthTag(cipher.getAuthTag());
      decipher.update(ciphertext);
      decipher.final();
    }
    return Promise.resolve();
  };
}

const KMS_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] });
const CALLER: Caller = {
  arn: `arn:aws:iam::${ACCOUNT}:user/bench`,
  accountId: ACCOUNT,
  requestId: 'BENCH',
  sourceIp: '127.0.0.1',
  invokedBy: 's3.amazonaws.com',
  viaService: 's3.us-east-1.amazonaws.com',
  identityPolicies: [KMS_ALL],
};
const user = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;
// What a real key guarding one bucket looks like: administrators through the account, users by ARN
// for that bucket's objects only, a Deny for someone else.
const GUARDED_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Admins', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
    { Sid: 'Users', Effect: 'Allow', Principal: { AWS: [CALLER.arn, user('other')] }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*', Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::bench/*' } } },
    { Sid: 'NoMallory', Effect: 'Deny', Principal: { AWS: user('mallory') }, Action: 'kms:*', Resource: '*' },
  ],
});

let objectNumber = 0;

/** The pair every SSE-KMS PUT and GET costs, on `keyId`: new object, new request, new objects each call. */
function pairOn(core: KmsCore, keyId: string): Pairs {
  return async (pairs) => {
    for (let i = 0; i < pairs; i++) {
      const context = { 'aws:s3:arn': `arn:aws:s3:::bench/objects/${objectNumber++}.bin` };
      const dk = await core.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }, { ...CALLER });
      const out = await core.decrypt({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { ...context } }, { ...CALLER });
      dk.Plaintext.fill(0);
      out.Plaintext.fill(0);
    }
  };
}

/** A core (audited when `auditPath` is set) with one key under the default policy. */
async function openBench(auditPath: string | null): Promise<{ core: KmsCore; pair: Pairs }> {
  const core = await KmsCore.open({ keystorePath: null, auditPath, rootKey: randomBytes(32), region: 'us-east-1', accountId: ACCOUNT, scheduleIntervalMs: 0 });
  const { KeyMetadata } = await core.createKey({ Description: 'bench' }, CALLER);
  return { core, pair: pairOn(core, KeyMetadata.Arn) };
}

/** A key with GUARDED_POLICY and three grants for other users, in `core`. */
async function guardedKey(core: KmsCore): Promise<string> {
  const keyArn = (await core.createKey({ Description: 'bench policy', Policy: GUARDED_POLICY }, CALLER)).KeyMetadata.Arn;
  for (const name of ['g1', 'g2', 'g3']) {
    await core.createGrant({ KeyId: keyArn, GranteePrincipal: user(name), Operations: ['Decrypt', 'GenerateDataKey'], Constraints: { EncryptionContextSubset: { 'aws:s3:arn': `arn:aws:s3:::${name}/x` } } }, CALLER);
  }
  return keyArn;
}

interface Rates {
  wall: number[];
  /** Per second of this process's own CPU time, which other load on the machine moves less than the wall clock. */
  cpu: number[];
}

/** Pairs per second (wall clock, and CPU time) of `pairs` sequential pairs. */
async function timed(run: Pairs, pairs: number): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await run(pairs);
  const cpu = process.cpuUsage(c0);
  return { wall: pairs / ((performance.now() - t0) / 1000), cpu: pairs / ((cpu.user + cpu.system) / 1e6) };
}

/**
 * Every workload warmed up (JIT, material cache, parsed policies) for WARM_UP_MS, then ROUNDS
 * rounds of PAIRS pairs each, every round running all of them, starting one further along each
 * time; the rates of each workload, sorted.
 */
async function interleavedRounds(workloads: Pairs[]): Promise<Rates[]> {
  for (const run of workloads) {
    const t0 = performance.now();
    while (performance.now() - t0 < WARM_UP_MS) await run(1_000);
  }
  const rates = workloads.map((): Rates => ({ wall: [], cpu: [] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (let j = 0; j < workloads.length; j++) {
      const w = (round + j) % workloads.length;
      const { wall, cpu } = await timed(workloads[w]!, PAIRS);
      rates[w]!.wall.push(wall);
      rates[w]!.cpu.push(cpu);
    }
  }
  const sorted = (r: number[]): number[] => r.sort((a, b) => a - b);
  return rates.map((r) => ({ wall: sorted(r.wall), cpu: sorted(r.cpu) }));
}

/** Pairs per second of `pairs` pairs spread over `workers` concurrent callers. */
async function rate(pair: Pairs, pairs: number, workers: number): Promise<number> {
  let left = pairs;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (left-- > 0) await pair(1);
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
    const [base, withPolicy, bare, xaes] = await interleavedRounds([pair, pairOn(core, await guardedKey(core)), gcmPairs(false), gcmPairs(true)]);
    const median = (r: number[]): number => r[ROUNDS >> 1]!;
    const figure = (n: number): string => n.toFixed(0).padStart(6);
    const show = (r: Rates): string => `best ${figure(r.wall[ROUNDS - 1]!)} pairs/s   median ${figure(median(r.wall))} pairs/s   per CPU-second ${figure(median(r.cpu))}`;
    const ofFloor = (r: Rates): string => `${((median(r.cpu) / median(xaes!.cpu)) * 100).toFixed(0)}% of the format's floor in CPU time`;
    const cost = (r: Rates): string => `costs ${((1 - median(r.cpu) / median(base!.cpu)) * 100).toFixed(1)}% in CPU time, ${((1 - median(r.wall) / median(base!.wall)) * 100).toFixed(1)}% by the clock`;
    console.log(`kms GenerateDataKey+Decrypt  ${show(base!)}   (${ROUNDS} x ${PAIRS} pairs, in process, default key policy + identity policy; ${ofFloor(base!)})`);
    console.log(`  with key policy + 3 grants ${show(withPolicy!)}   (${cost(withPolicy!)}; ${ofFloor(withPolicy!)})`);
    console.log(`bare AES-GCM seal+open       ${show(bare!)}   (the ceiling on this machine right now)`);
    console.log(`  with XAES key derivation   ${show(xaes!)}   (the ceiling for the blob format)`);
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
