import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordReader } from './fs-record-reader.js';

describe('RecordReader', () => {
  let dir: string;
  let reader: RecordReader;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kmsgate-reader-'));
    reader = new RecordReader();
  });

  afterEach(async () => {
    await reader.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads at most the bytes asked for, the whole file when it is shorter', async () => {
    await writeFile(join(dir, 'long'), Buffer.alloc(50_000, 9));
    await writeFile(join(dir, 'short'), 'abc');
    const [long, short] = await Promise.all([reader.read(join(dir, 'long'), 1000), reader.read(join(dir, 'short'), 1000)]);
    expect(long?.equals(Buffer.alloc(1000, 9))).toBe(true);
    expect(short?.toString()).toBe('abc');
  });

  it('reads many files asked for together, whole, whatever their size', async () => {
    const sizes = [0, 1, 300, 4096, 70_000];
    const contents = sizes.map((size, i) => Buffer.alloc(size, i + 1));
    await Promise.all(contents.map((bytes, i) => writeFile(join(dir, `f${i}`), bytes)));
    const got = await Promise.all(contents.map((_, i) => reader.read(join(dir, `f${i}`))));
    got.forEach((bytes, i) => expect(bytes?.equals(contents[i])).toBe(true));
  });

  it('answers null for a missing file or a missing folder, beside files that exist', async () => {
    await writeFile(join(dir, 'here'), 'x');
    const [missing, underFile, here] = await Promise.all([
      reader.read(join(dir, 'gone')),
      reader.read(join(dir, 'here', 'below')),
      reader.read(join(dir, 'here')),
    ]);
    expect(missing).toBeNull();
    expect(underFile).toBeNull();
    expect(here?.toString()).toBe('x');
  });

  it('fails a read it cannot do with the error, and keeps serving the others', async () => {
    await mkdir(join(dir, 'folder'));
    await writeFile(join(dir, 'file'), 'y');
    const failing = reader.read(join(dir, 'folder'));
    const fine = reader.read(join(dir, 'file'));
    await expect(failing).rejects.toMatchObject({ code: 'EISDIR' });
    expect((await fine)?.toString()).toBe('y');
    expect((await reader.read(join(dir, 'file')))?.toString()).toBe('y');
  });

  it('does a lone read itself, with the same answers, and starts its thread for the first batch', async () => {
    const threads = async (): Promise<number> => (await readdir('/proc/self/task')).length;
    await writeFile(join(dir, 'long'), Buffer.alloc(50_000, 9));
    await mkdir(join(dir, 'folder'));
    const before = await threads();
    expect((await reader.read(join(dir, 'long'), 1000))?.equals(Buffer.alloc(1000, 9))).toBe(true);
    expect((await reader.read(join(dir, 'long'), 60_000))?.equals(Buffer.alloc(50_000, 9))).toBe(true);
    expect((await reader.read(join(dir, 'long')))?.length).toBe(50_000);
    expect(await reader.read(join(dir, 'gone'))).toBeNull();
    expect(await reader.read(join(dir, 'long', 'below'))).toBeNull();
    await expect(reader.read(join(dir, 'folder'))).rejects.toMatchObject({ code: 'EISDIR' });
    expect(await threads()).toBe(before);
    const pair = await Promise.all([reader.read(join(dir, 'long'), 10), reader.read(join(dir, 'gone'))]);
    expect(pair[0]?.length).toBe(10);
    expect(pair[1]).toBeNull();
    expect(await threads()).toBe(before + 1);
    // Once it runs, a lone read goes to it too.
    expect((await reader.read(join(dir, 'long'), 5))?.length).toBe(5);
  });

  it('refuses reads once closed', async () => {
    await reader.close();
    await expect(reader.read(join(dir, 'any'))).rejects.toThrow('closed');
  });
});
