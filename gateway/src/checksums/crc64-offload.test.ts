import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { Crc64Checksum, MAX_BODIES, MAX_IN_FLIGHT, OFFLOAD_AFTER, crc64Worker } from './crc64-offload.js';

async function reference(data: Buffer): Promise<string> {
  const crc = new Crc64Nvme();
  crc.update(data);
  return Buffer.from(await crc.digest()).toString('base64');
}

/** Feeds `data` in `piece`-byte chunks, waiting whenever the checksum asks to. */
async function feed(sum: Crc64Checksum, data: Buffer, piece: number): Promise<void> {
  for (let at = 0; at < data.length; at += piece) await sum.update(data.subarray(at, at + piece));
}

describe('CRC64NVME of a large body on the checksum worker', () => {
  afterAll(() => crc64Worker.stopForTest());

  it('keeps a small body on the calling thread and moves a large one to the worker, with the same value', async () => {
    const small = randomBytes(OFFLOAD_AFTER);
    const here = new Crc64Checksum();
    await feed(here, small, 65536);
    expect(here.offloaded).toBe(false);
    expect(await here.digestBase64()).toBe(await reference(small));

    // Odd chunk sizes, so batches and chunks never line up.
    const large = randomBytes(OFFLOAD_AFTER + 5 * 1024 * 1024 + 777);
    const moved = new Crc64Checksum();
    await feed(moved, large, 65536 + 13);
    expect(moved.offloaded).toBe(true);
    expect(await moved.digestBase64()).toBe(await reference(large));
  });

  it('gives each of several bodies at once its own value, and folds those past MAX_BODIES where they arrive', async () => {
    const bodies = Array.from({ length: MAX_BODIES + 1 }, (_, i) => i).map((i) => randomBytes(OFFLOAD_AFTER + (i + 1) * 1024 * 1024 + i));
    const sums = bodies.map(() => new Crc64Checksum());
    await Promise.all(bodies.map((body, i) => feed(sums[i]!, body, 100_000)));
    expect(sums.map((sum) => sum.offloaded).filter(Boolean)).toHaveLength(MAX_BODIES);
    const got = await Promise.all(sums.map((sum) => sum.digestBase64()));
    expect(got).toEqual(await Promise.all(bodies.map(reference)));
  });

  it('makes a stream wait once MAX_IN_FLIGHT bytes of all bodies together wait for the worker', () => {
    const chunk = Buffer.alloc(1024 * 1024, 1);
    // No answer from the worker can arrive while these loops run: each wait comes from the count.
    const first = new Crc64Checksum();
    let calls = 0;
    while (first.update(chunk) === undefined) {
      calls++;
      expect(calls).toBeLessThan(64);
    }
    expect(calls * chunk.length).toBeLessThanOrEqual(OFFLOAD_AFTER + MAX_IN_FLIGHT);
    // A second large body, once past its own first bytes, is held back by what the first left.
    const second = new Crc64Checksum();
    for (let i = 0; i < OFFLOAD_AFTER / chunk.length; i++) expect(second.update(chunk)).toBeUndefined();
    expect(second.update(chunk)).toBeInstanceOf(Promise);
    first.discard();
    second.discard();
  });

  it('fails a body whose worker is lost, and the next body starts a new worker', async () => {
    const body = randomBytes(OFFLOAD_AFTER + 2 * 1024 * 1024);
    const lost = new Crc64Checksum();
    await feed(lost, body.subarray(0, OFFLOAD_AFTER + 1024 * 1024), 65536);
    expect(lost.offloaded).toBe(true);
    await crc64Worker.stopForTest();
    await expect(lost.digestBase64()).rejects.toThrow(/checksum worker exited/);

    const next = new Crc64Checksum();
    await feed(next, body, 65536);
    expect(await next.digestBase64()).toBe(await reference(body));
  });
});
