/**
 * `node test/dist/bench/bench-hot.js`: one small-object load against kmsgate alone, for
 * profiling the PUT and GET path one change at a time. Prints the gateway's pid before the
 * load (attach `strace -c -f -p <pid>` to count file-system calls), and after each load its ops/s
 * and the gateway's CPU time per op, for the whole process and for its main thread alone. CPU per
 * op is the figure to compare between changes: ops/s moves with whatever else shares the cores.
 *
 *   BENCH_HOT_SIZE      object size in bytes (default 4096)
 *   BENCH_HOT_SECONDS   seconds per load (default 10)
 *   BENCH_HOT_OPS       put, get or both (default both)
 *   BENCH_HOT_PROFILE   a folder: the gateway writes a --cpu-prof profile there on exit
 *   BENCH_HOT_NODE_ARGS more node options for the gateway, space-separated (--trace-gc, an --import
 *                       that samples the heap, a V8 flag to try)
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { closedLoop } from './closed-loop.js';
import { BUCKET, withKmsgateAlone } from './peer-servers.js';

const SIZE = Number(process.env.BENCH_HOT_SIZE ?? 4096);
const SECONDS = Number(process.env.BENCH_HOT_SECONDS ?? 10);
const OPS = process.env.BENCH_HOT_OPS ?? 'both';
const PROFILE = process.env.BENCH_HOT_PROFILE;
const NODE_ARGS = (process.env.BENCH_HOT_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux everywhere). */
const TICKS_PER_SECOND = 100;

interface CpuTicks { process: number; main: number }

/** utime + stime in ticks from a /proc stat line (fields 14 and 15, counted after the `(comm)`). */
async function statTicks(path: string): Promise<number> {
  const line = await readFile(path, 'utf8');
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function cpuTicks(pid: number): Promise<CpuTicks> {
  return { process: await statTicks(`/proc/${pid}/stat`), main: await statTicks(`/proc/${pid}/task/${pid}/stat`) };
}

async function main(): Promise<void> {
  await withKmsgateAlone({ sockets: 32, nodeArgs: [...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : []), ...NODE_ARGS] }, async (server, client) => {
    const body = randomBytes(SIZE);
    const path = (i: number): string => `/${BUCKET}/hot/k${i % 2000}`;
    // Warm up (JIT, keys folder), and fill the key set the GETs read.
    await closedLoop((i) => client.put(path(i), body, SIZE), 0, 32, 2000);
    console.log(`gateway pid ${server.pid}; load starts in 2 s`);
    await sleep(2000);
    const measure = async (op: string, load: () => Promise<{ rate: number; count: number }>): Promise<void> => {
      const before = await cpuTicks(server.pid);
      const r = await load();
      const after = await cpuTicks(server.pid);
      const usPerOp = (ticks: number): string => ((ticks * 1e6) / TICKS_PER_SECOND / r.count).toFixed(0);
      console.log(`${op} ${SIZE} B  ${r.rate.toFixed(0)} ops/s  (${r.count} ops)  CPU/op ${usPerOp(after.process - before.process)} us, main thread ${usPerOp(after.main - before.main)} us`);
    };
    if (OPS !== 'get') await measure('PUT', () => closedLoop((i) => client.put(path(i), body, SIZE), SECONDS, 32));
    if (OPS !== 'put') await measure('GET', () => closedLoop((i) => client.get(path(i)), SECONDS, 32));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
