/**
 * `pnpm bench [--peer s3rver]`: the entry that takes the flags. Without --peer, the KMS bench
 * then the gateway's own figures (BENCH_ONLY picks one part, as before; BENCH_ONLY=soak the
 * ten-minute memory soak of bench-soak.ts); with --peer, the side by side run of bench-peer.ts.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchPeer } from './bench-peer.js';

const { values } = parseArgs({ options: { peer: { type: 'string' } }, strict: true });

async function main(): Promise<void> {
  if (values.peer !== undefined) return benchPeer(values.peer);
  const only = process.env.BENCH_ONLY;
  // Each its own process, one after the other, so neither measures the other's leftovers.
  // The soak takes ten minutes and runs only when asked for.
  const parts = only === undefined ? ['kms-bench', 'bench'] : only === 'kms' ? ['kms-bench'] : only === 'soak' ? ['bench-soak'] : ['bench'];
  for (const part of parts) {
    const run = spawnSync(process.execPath, [fileURLToPath(new URL(`./${part}.js`, import.meta.url))], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`${part} failed (${run.status ?? run.signal})`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
