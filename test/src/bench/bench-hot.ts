/**
 * `node test/dist/bench/bench-hot.js`: one small-object load against kmsgate alone, for
 * profiling the PUT and GET path one change at a time. Prints the gateway's pid before the
 * load (attach `strace -c -f -p <pid>` to count file-system calls) and ops/s after it.
 *
 *   BENCH_HOT_SIZE      object size in bytes (default 4096)
 *   BENCH_HOT_SECONDS   seconds per load (default 10)
 *   BENCH_HOT_OPS       put, get or both (default both)
 *   BENCH_HOT_PROFILE   a folder: the gateway writes a --cpu-prof profile there on exit
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { closedLoop } from './closed-loop.js';
import { LiteClient } from './lite-client.js';
import { BUCKET, startKmsgate } from './peer-servers.js';

const SIZE = Number(process.env.BENCH_HOT_SIZE ?? 4096);
const SECONDS = Number(process.env.BENCH_HOT_SECONDS ?? 10);
const OPS = process.env.BENCH_HOT_OPS ?? 'both';
const PROFILE = process.env.BENCH_HOT_PROFILE;

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'kmsgate-hot-'));
  const server = await startKmsgate(root, {}, PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : []);
  const client = new LiteClient(server, 32);
  try {
    const body = randomBytes(SIZE);
    const path = (i: number): string => `/${BUCKET}/hot/k${i % 2000}`;
    // Warm up (JIT, keys folder), and fill the key set the GETs read.
    await closedLoop((i) => client.put(path(i), body, SIZE), 0, 32, 2000);
    console.log(`gateway pid ${server.pid}; load starts in 2 s`);
    await sleep(2000);
    const show = (op: string, r: { rate: number; count: number }): void => console.log(`${op} ${SIZE} B  ${r.rate.toFixed(0)} ops/s  (${r.count} ops)`);
    if (OPS !== 'get') show('PUT', await closedLoop((i) => client.put(path(i), body, SIZE), SECONDS, 32));
    if (OPS !== 'put') show('GET', await closedLoop((i) => client.get(path(i)), SECONDS, 32));
  } finally {
    client.destroy();
    await server.stop();
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
