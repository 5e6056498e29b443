import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSmallFile, uniqueName } from './fs-util.js';

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

  it('stops at the bytes `enough` says suffice, judged from a full first read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kmsgate-util-'));
    try {
      const bytes = randomBytes(100_000);
      const path = join(dir, 'f');
      await writeFile(path, bytes);
      const seen: number[] = [];
      const enough = (prefix: Buffer): number => {
        seen.push(prefix.length);
        return 40_000;
      };
      expect((await readSmallFile(path, enough)).equals(bytes.subarray(0, 40_000))).toBe(true);
      expect(seen).toEqual([16 * 1024, 40_000]);
      expect((await readSmallFile(path, () => 1000)).equals(bytes.subarray(0, 1000))).toBe(true);
      expect((await readSmallFile(path, () => null)).equals(bytes)).toBe(true);
      expect((await readSmallFile(path, () => 200_000)).equals(bytes)).toBe(true);
      await writeFile(path, 'short');
      expect((await readSmallFile(path, () => 2)).toString()).toBe('short'); // a short first read is the whole file
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('uniqueName', () => {
  it('gives 32 lower-case hex digits, never the same twice across refills of its pool', () => {
    const names = Array.from({ length: 2000 }, () => uniqueName());
    for (const name of names) expect(name).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(names).size).toBe(names.length);
  });
});
