/**
 * `BENCH_ONLY=soak pnpm bench`: the gateway's memory over a long mixed load. 16 clients at
 * once, each call one of: PUT of 4 KiB (small, kept inline), PUT of 1 MiB (a data file),
 * GET, ListObjectsV2 page, DELETE, over a fixed set of keys, against one gateway process
 * (the real CLI, SSE-KMS). Its RSS is read every BENCH_SOAK_SAMPLE_S seconds; the figure is
 * how much it grew from the end of the first minute (JIT, caches and heap sized by then)
 * to the end. Printed, never asserted.
 *
 *   BENCH_SOAK_MINUTES    length of the load (default 10)
 *   BENCH_SOAK_SAMPLE_S   seconds between RSS readings (default 30)
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { BUCKET, withKmsgateAlone } from './peer-servers.js';

const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 10);
const SAMPLE_S = Number(process.env.BENCH_SOAK_SAMPLE_S ?? 30);
const CLIENTS = 16;
const KEYS = 1000;

async function rssMiB(pid: number): Promise<number> {
  return Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

async function main(): Promise<void> {
  await withKmsgateAlone({ sockets: CLIENTS }, async (server, client) => {
    const small = randomBytes(4096);
    const large = randomBytes(1024 * 1024);
    const key = (i: number): string => `/${BUCKET}/soak/d${i % 10}/k${i}`;
    const counts = { put4k: 0, put1m: 0, get: 0, list: 0, delete: 0, missing: 0 };
    // Every key exists at the start, so a GET finds one unless a DELETE just took it.
    for (let i = 0; i < KEYS; i += CLIENTS) await Promise.all(Array.from({ length: CLIENTS }, (_, j) => client.put(key(i + j), small, small.length)));
    const deadline = performance.now() + MINUTES * 60_000;
    let seed = 1;
    // A fixed sequence (xorshift32), so every run makes the same mix.
    const next = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    const one = async (): Promise<void> => {
      const roll = next() % 100;
      const k = key(next() % KEYS);
      // Each count is bumped after its await: `n += (await x, 1)` would read n before it.
      if (roll < 35) {
        await client.put(k, small, small.length);
        counts.put4k++;
      } else if (roll < 45) {
        await client.put(k, large, large.length);
        counts.put1m++;
      } else if (roll < 80) {
        // A key a DELETE took answers 404: counted, not a failure.
        await client.get(k).then(() => counts.get++, (err: Error) => {
          if (!/answered 404/.test(err.message)) throw err;
          counts.missing++;
        });
      } else if (roll < 90) {
        await client.listPage(BUCKET, `soak/d${next() % 10}/`);
        counts.list++;
      } else {
        await client.delete(k);
        counts.delete++;
      }
    };
    const samples: { second: number; rss: number; ops: number }[] = [];
    const t0 = performance.now();
    const total = (): number => counts.put4k + counts.put1m + counts.get + counts.list + counts.delete + counts.missing;
    const sampler = setInterval(() => {
      void rssMiB(server.pid).then((rss) => samples.push({ second: Math.round((performance.now() - t0) / 1000), rss, ops: total() }));
    }, SAMPLE_S * 1000);
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) await one();
    }));
    clearInterval(sampler);
    samples.push({ second: Math.round((performance.now() - t0) / 1000), rss: await rssMiB(server.pid), ops: total() });

    console.log(`soak: ${MINUTES} min mixed load, ${CLIENTS} clients, ${KEYS} keys; ops: ${JSON.stringify(counts)}`);
    console.log('second  RSS MiB  ops so far');
    for (const s of samples) console.log(`${String(s.second).padStart(6)}  ${s.rss.toFixed(1).padStart(7)}  ${String(s.ops).padStart(10)}`);
    const settled = samples.find((s) => s.second >= 60) ?? samples[0]!;
    const last = samples[samples.length - 1]!;
    const peak = Math.max(...samples.map((s) => s.rss));
    console.log(`RSS after the first minute ${settled.rss.toFixed(1)} MiB, at the end ${last.rss.toFixed(1)} MiB: grew ${(last.rss - settled.rss).toFixed(1)} MiB; highest reading ${peak.toFixed(1)} MiB`);
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
