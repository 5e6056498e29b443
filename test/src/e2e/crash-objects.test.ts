/**
 * A PUT the process dies in leaves the key's old object or its new one, whole, never a mix:
 * the real `kmsgate server` is SIGKILLed at random points while clients overwrite keys with
 * small objects (kept inline in their record) and large ones (a data file each), so kills
 * land in small → small, small ↔ large and large → large replacements. After every restart
 * each key reads as the body its last 200 reported, or as the one in flight at the kill,
 * byte for byte, and nothing of the interrupted writes is left in the temp folder.
 */
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawnGateway, type GatewayProcess } from '../cli-process.js';
import { adminCredentials, useKillLoop, type Credentials } from '../kill-loop.js';
import { bodyBytes } from '../harness.js';

const KILLS = 6;
const KEYS = 4;
const MAX_PUTS_PER_LIFE = 12;
const BUCKET = 'crash-objects';

const loop = useKillLoop();

function client(gateway: GatewayProcess, credentials: Credentials): S3Client {
  // One attempt: a retry could land a write the test did not count as in flight.
  return new S3Client({ endpoint: gateway.endpoint, region: 'us-east-1', credentials, forcePathStyle: true, maxAttempts: 1 });
}

/** A body that names itself all through: any mix of two bodies differs from both. */
function bodyOf(id: number): Buffer {
  const size = id % 3 === 0 ? 200_000 : 1 + ((id * 7919) % 8000); // large: past the inline limit
  const out = Buffer.alloc(size);
  for (let at = 0, block = 0; at < size; at += 32, block++) {
    createHash('sha256').update(`${id}/${block}`).digest().copy(out, at);
  }
  return out;
}

interface KeyState {
  /** The body the last 200 reported (undefined: never written). */
  acked?: number;
  /** The body of a PUT sent but not answered when the process died. */
  inFlight?: number;
}

/** Overwrites every key from its own client loop until the process dies. */
async function overwriteUntilKilled(gateway: GatewayProcess, s3: S3Client, keys: KeyState[], next: () => number): Promise<void> {
  const killAfter = 1 + Math.floor(Math.random() * MAX_PUTS_PER_LIFE);
  const exited = new Promise((done) => gateway.child.once('exit', done));
  let dead = false;
  let acked = 0;
  const kill = (): void => {
    if (dead) return;
    dead = true;
    gateway.child.kill('SIGKILL');
  };
  const worker = async (index: number): Promise<void> => {
    const state = keys[index]!;
    while (!dead) {
      const id = next();
      state.inFlight = id;
      try {
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `k${index}`, Body: bodyOf(id) }));
        state.acked = id;
        state.inFlight = undefined;
        // The kill lands while the other keys' writes are at random stages.
        if (++acked >= killAfter) setTimeout(kill, Math.floor(Math.random() * 4));
      } catch (err) {
        if (!dead) throw err;
      }
    }
  };
  await Promise.all(keys.map((_, i) => worker(i)));
  await exited;
}

describe('objects under SIGKILL', () => {
  it(`leave the old or the new object across ${KILLS} kills mid-PUT, small and large, and no temp files`, async () => {
    const dataDir = (loop.dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-crash-objects-')));
    let running = (loop.running = await spawnGateway(dataDir));
    const credentials = adminCredentials(running);
    const first = client(running, credentials);
    await first.send(new CreateBucketCommand({ Bucket: BUCKET }));
    first.destroy();
    const keys: KeyState[] = Array.from({ length: KEYS }, () => ({}));
    let nextId = 0;
    for (let life = 0; life <= KILLS; life++) {
      if (life > 0) running = loop.running = await spawnGateway(dataDir); // rejects if the store does not load
      if (loop.abandoned) return void (await running.stop());
      expect(await readdir(join(dataDir, 'objects', 'tmp'))).toEqual([]);
      const s3 = client(running, credentials);
      for (const [index, state] of keys.entries()) {
        if (state.acked === undefined && state.inFlight === undefined) continue;
        const read = s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `k${index}` }));
        if (state.acked === undefined) {
          // The key's first PUT was cut off before its 200: no object is one right outcome.
          const outcome = await read.then((r) => bodyBytes(r.Body), (err: { name?: string }) => err);
          if (!Buffer.isBuffer(outcome)) {
            expect([index, outcome.name]).toEqual([index, 'NoSuchKey']);
            keys[index] = {};
            continue;
          }
          expect([index, bodyOf(state.inFlight!).equals(outcome)]).toEqual([index, true]);
          keys[index] = { acked: state.inFlight };
          continue;
        }
        const got = await bodyBytes((await read).Body);
        const candidates = [state.acked, state.inFlight].filter((id): id is number => id !== undefined);
        const match = candidates.find((id) => bodyOf(id).equals(got));
        expect([index, match !== undefined]).toEqual([index, true]);
        // What the disk holds now is what the next kill must keep or replace.
        keys[index] = { acked: match };
      }
      if (life < KILLS) await overwriteUntilKilled(running, s3, keys, () => nextId++);
      s3.destroy();
    }
    expect(nextId).toBeGreaterThanOrEqual(KILLS);
  }, 300_000);
});
