import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSmallFile } from './fs-util.js';

describe('readSmallFile', () => {
  it('reads whole files of any size, around its first read size too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kmsgate-util-'));
    try {
      for (const size of [0, 1, 700, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 32 * 1024, 100_000]) {
        const bytes = randomBytes(size);
        const path = join(dir, `f${size}`);
        await writeFile(path, bytes);
        expect((await readSmallFile(path)).equals(bytes)).toBe(true);
      }
      await expect(readSmallFile(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
