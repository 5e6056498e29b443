import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileHandleWritable } from './fs-streams.js';

describe('FileHandleWritable', () => {
  it('writes chunks buffered together (one writev) in order, and counts them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kmsgate-streams-'));
    try {
      const path = join(dir, 'out');
      const handle = await open(path, 'wx');
      const stream = new FileHandleWritable(handle);
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
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
