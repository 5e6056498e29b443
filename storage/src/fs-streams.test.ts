import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FLUSH_EVERY, MAX_BACKGROUND_FLUSHES, SpillingWritable } from './fs-streams.js';
import { withTempDir } from './test-fixtures.js';

/**
 * Writes `chunk` until `bytes` went in, honouring back-pressure; resolves once the last chunk
 * was taken (its callback runs after the write and the background-sync check).
 */
async function writeChunks(stream: SpillingWritable, chunk: Buffer, bytes: number): Promise<void> {
  for (let written = chunk.length; written < bytes; written += chunk.length) {
    if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
  }
  await new Promise((r) => stream.write(chunk, r));
}

describe('SpillingWritable', () => {
  it('writes chunks buffered together (one writev) in order, and counts them', async () => {
    await withTempDir('kmsgate-streams-', async (dir) => {
      const path = join(dir, 'out');
      const handle = await open(path, 'wx');
      const stream = new SpillingWritable(-1, () => Promise.resolve(handle));
      const chunks = Array.from({ length: 300 }, (_, i) => randomBytes(i % 7 === 0 ? 0 : 1 + ((i * 977) % 9000)));
      stream.write(chunks[0]);
      stream.cork(); // the rest waits for the first write, then goes out as one _writev
      for (const chunk of chunks.slice(1)) stream.write(chunk);
      process.nextTick(() => stream.uncork());
      await new Promise<void>((resolve, reject) => stream.once('error', reject).end(resolve));
      await handle.close();
      const expected = Buffer.concat(chunks);
      expect(stream.bytesWritten).toBe(expected.length);
      expect((await readFile(path)).equals(expected)).toBe(true);
    });
  });

  it('holds up to holdMax bytes without a file, then moves them to the file it opens and goes on there', async () => {
    await withTempDir('kmsgate-streams-', async (dir) => {
      const path = join(dir, 'out');
      let opened = 0;
      const held = new SpillingWritable(100, async () => { opened++; return open(path, 'wx'); });
      const small = [randomBytes(60), randomBytes(40)];
      for (const chunk of small) held.write(chunk);
      small[0]!.fill(0); // the writer reuses its buffer: what was held must not change
      await new Promise<void>((resolve, reject) => held.once('error', reject).end(resolve));
      expect(opened).toBe(0);
      expect(held.file).toBeNull();
      expect(Buffer.concat(held.heldChunks).subarray(60).equals(small[1]!)).toBe(true);
      expect(held.heldChunks[0]!.some((b) => b !== 0)).toBe(true);

      const spilled = new SpillingWritable(100, async () => { opened++; return open(path, 'wx'); });
      const chunks = [randomBytes(70), randomBytes(31), randomBytes(5000)];
      const expected = Buffer.concat(chunks);
      for (const chunk of chunks) spilled.write(chunk);
      await new Promise<void>((resolve, reject) => spilled.once('error', reject).end(resolve));
      expect(opened).toBe(1);
      expect(spilled.heldChunks).toHaveLength(0);
      expect(spilled.bytesWritten).toBe(expected.length);
      await spilled.release();
      expect((await readFile(path)).equals(expected)).toBe(true);
    });
  });

  it('hands a large file to the disk as it is written: a data sync in the background each FLUSH_EVERY bytes', async () => {
    await withTempDir('kmsgate-streams-', async (dir) => {
      const path = join(dir, 'out');
      const stream = new SpillingWritable(-1, () => open(path, 'wx'));
      const chunk = randomBytes(1024 * 1024);
      const write = (bytes: number): Promise<void> => writeChunks(stream, chunk, bytes);
      // Past FLUSH_EVERY a sync starts; once it is done, FLUSH_EVERY more start the next one.
      await write(FLUSH_EVERY + chunk.length);
      await stream.flushed();
      expect(stream.backgroundFlushes).toBe(1);
      await write(FLUSH_EVERY);
      const total = 2 * FLUSH_EVERY + chunk.length;
      await new Promise<void>((resolve, reject) => stream.once('error', reject).end(resolve));
      await stream.flushed();
      expect(stream.backgroundFlushes).toBe(2);
      await stream.release();
      const back = await readFile(path);
      expect(back.length).toBe(total);
      expect(back.subarray(total - chunk.length).equals(chunk)).toBe(true);
    });
  });

  it('fails the write when a background data sync failed, so the commit never goes on', async () => {
    await withTempDir('kmsgate-streams-', async (dir) => {
      const handle = await open(join(dir, 'out'), 'wx');
      // The disk's answer stood in for: Node's own datasync() is made to fail.
      handle.datasync = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      const stream = new SpillingWritable(-1, () => Promise.resolve(handle));
      const chunk = Buffer.alloc(1024 * 1024, 1);
      const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
      for (let written = 0; written <= FLUSH_EVERY + 4 * chunk.length && !stream.destroyed; written += chunk.length) {
        if (!stream.write(chunk)) await Promise.race([new Promise((r) => stream.once('drain', r)), failed]);
      }
      expect((await failed).message).toMatch(/EIO/);
      await expect(stream.flushed()).rejects.toThrow(/EIO/);
      await stream.release();
    });
  });

  it('runs at most MAX_BACKGROUND_FLUSHES background syncs at once over all files, so they never hold the whole thread pool', async () => {
    await withTempDir('kmsgate-streams-', async (dir) => {
      const release: (() => void)[] = [];
      try {
        const writers = await Promise.all(Array.from({ length: MAX_BACKGROUND_FLUSHES + 2 }, async (_, i) => {
          const handle = await open(join(dir, `out${i}`), 'wx');
          // The disk's answer held back: each sync waits until the test lets it go.
          handle.datasync = () => new Promise<void>((resolve) => release.push(resolve));
          return { handle, stream: new SpillingWritable(-1, () => Promise.resolve(handle)) };
        }));
        const chunk = Buffer.alloc(1024 * 1024, 2);
        const writeAll = (stream: SpillingWritable, bytes: number): Promise<void> => writeChunks(stream, chunk, bytes);
        await Promise.all(writers.map(({ stream }) => writeAll(stream, FLUSH_EVERY + 2 * chunk.length)));
        expect(writers.reduce((n, { stream }) => n + stream.backgroundFlushes, 0)).toBe(MAX_BACKGROUND_FLUSHES);
        // Once the running syncs are answered, a file that had to wait gets its turn at its next write.
        for (const go of release.splice(0)) go();
        await Promise.all(writers.map(({ stream }) => stream.flushed()));
        await Promise.all(writers.map(({ stream }) => writeAll(stream, chunk.length)));
        expect(writers.reduce((n, { stream }) => n + stream.backgroundFlushes, 0)).toBe(2 * MAX_BACKGROUND_FLUSHES);
        for (const go of release.splice(0)) go();
        for (const { stream, handle } of writers) {
          await new Promise<void>((resolve, reject) => stream.once('error', reject).end(resolve));
          await stream.flushed();
          await handle.close();
        }
      } finally {
        for (const go of release) go();
      }
    });
  });

  it('takes at most 256 KiB while a write waits on the disk, then pushes back', async () => {
    await withTempDir('kmsgate-streams-', async (dir) => {
      const handle = await open(join(dir, 'out'), 'wx');
      const writev = handle.writev.bind(handle);
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      // The first write stays in flight until the test lets it go, as a busy disk would.
      handle.writev = (async (buffers: NodeJS.ArrayBufferView[], position?: number) => {
        await held;
        return writev(buffers, position);
      }) as typeof handle.writev;
      const stream = new SpillingWritable(-1, () => Promise.resolve(handle));
      const chunk = Buffer.alloc(16 * 1024, 3);
      let taken = 0;
      try {
        while (stream.write(chunk)) taken += chunk.length;
        taken += chunk.length;
        // 16 uploads each holding 1 MiB here, with their writes queued behind the disk, was
        // a fifth of the gateway's peak RSS.
        expect(taken).toBeLessThanOrEqual(256 * 1024 + chunk.length);
        expect(stream.writableLength).toBeLessThanOrEqual(256 * 1024);
      } finally {
        release();
      }
      await new Promise<void>((resolve, reject) => stream.once('error', reject).end(resolve));
      expect(stream.bytesWritten).toBe(taken);
      expect((await handle.stat()).size).toBe(taken);
      await handle.close();
    });
  });
});
