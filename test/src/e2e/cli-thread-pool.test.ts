// The CLI leaves libuv's thread pool at libuv's own size, 4, and a UV_THREADPOOL_SIZE the user
// sets decides it. Counted on the running server's threads, not read back from its
// environment: a size set after the pool started shows in the environment all the same, and
// Node's module loader starts the pool before the first line of the CLI runs.
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGateway } from '../cli-process.js';

/** How many threads a freshly started `kmsgate server` runs, with `env` added to its environment. */
async function serverThreads(env: NodeJS.ProcessEnv): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-pool-'));
  const gateway = await spawnGateway(dataDir, { KMSGATE_ROOT_KEY: randomBytes(32).toString('base64'), ...env });
  try {
    return (await readdir(`/proc/${gateway.child.pid}/task`)).length;
  } finally {
    await gateway.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('CLI thread pool', () => {
  it("runs libuv's default pool of 4 threads, or the size the user set", async () => {
    const ours = await serverThreads({});
    const seven = await serverThreads({ UV_THREADPOOL_SIZE: '7' });
    const two = await serverThreads({ UV_THREADPOOL_SIZE: '2' });
    // Every other thread (V8's, the checksum binding's) is the same in all three.
    expect(seven - two).toBe(5);
    expect(seven - ours).toBe(7 - 4);
  }, 60_000);
});
