import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableJsonFile, StoreFileError, makePrivateFolder, nodeIo, readJsonFile, writeFileDurably } from './durable-json-file.js';
import type { DurableIo } from './durable-json-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-core-durable-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The real file system, with every call that matters for durability written down in order. */
function recordingIo(steps: string[]): DurableIo {
  const name = (p: string): string => p.slice(dir.length + 1) || '.';
  return {
    open: async (path, flags, mode) => {
      steps.push(`open ${name(path)} ${flags} ${mode?.toString(8)}`);
      const handle = await nodeIo.open(path, flags, mode);
      return {
        chmod: (m) => handle.chmod(m),
        writeFile: async (data, options) => {
          steps.push(`write ${name(path)}`);
          return handle.writeFile(data, options);
        },
        sync: async () => {
          steps.push(`fsync ${name(path)}`);
          return handle.sync();
        },
        close: async () => {
          steps.push(`close ${name(path)}`);
          return handle.close();
        },
      };
    },
    rename: async (from, to) => {
      steps.push(`rename ${name(from)} ${name(to)}`);
      return nodeIo.rename(from, to);
    },
    link: async (from, to) => {
      steps.push(`link ${name(from)} ${name(to)}`);
      return nodeIo.link(from, to);
    },
    unlink: (path) => nodeIo.unlink(path),
    syncFolder: async (path) => {
      steps.push(`fsync-folder ${name(path)}`);
      return nodeIo.syncFolder(path);
    },
  };
}

describe('durable writes', () => {
  it('writes a fresh 0600 temp file, fsyncs it, renames it and fsyncs the folder, in that order', async () => {
    const steps: string[] = [];
    const path = join(dir, 'store.json');
    await writeFileDurably(path, '{"a":1}', { io: recordingIo(steps) });
    expect(steps).toEqual([
      'open .store.json.tmp wx 600', 'write .store.json.tmp', 'fsync .store.json.tmp', 'close .store.json.tmp',
      'rename .store.json.tmp store.json', 'fsync-folder .',
    ]);
    expect(await readFile(path, 'utf8')).toBe('{"a":1}');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('replaces a temp file a crash left behind, without inheriting its mode', async () => {
    const path = join(dir, 'store.json');
    await writeFile(join(dir, '.store.json.tmp'), 'half a docu', { mode: 0o644 });
    await writeFileDurably(path, '{"b":2}');
    expect(await readFile(path, 'utf8')).toBe('{"b":2}');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['store.json']);
  });

  it('never replaces an existing file in exclusive mode, and leaves no temp file', async () => {
    const steps: string[] = [];
    const path = join(dir, 'root.key');
    await writeFileDurably(path, 'first', { exclusive: true, io: recordingIo(steps) });
    expect(steps.filter((s) => !s.startsWith('open') && !s.startsWith('write') && !s.startsWith('close')).map((s) => s.split(' ')[0]))
      .toEqual(['fsync', 'link', 'fsync-folder']);
    await expect(writeFileDurably(path, 'second', { exclusive: true })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('first');
    expect(await readdir(dir)).toEqual(['root.key']);
  });

  it('makes new folders durable in their parents', async () => {
    const steps: string[] = [];
    await makePrivateFolder(join(dir, 'a', 'b'), recordingIo(steps));
    expect(steps).toEqual(['fsync-folder .', 'fsync-folder a']);
    expect((await stat(join(dir, 'a', 'b'))).mode & 0o777).toBe(0o700);
    steps.length = 0;
    await makePrivateFolder(join(dir, 'a', 'b'), recordingIo(steps));
    expect(steps).toEqual([]);
  });

  it('runs concurrent adapter writes one at a time: the last one wins', async () => {
    const file = new DurableJsonFile<{ n: number }>(join(dir, 'store.json'));
    await Promise.all(Array.from({ length: 20 }, (_, n) => file.write({ n })));
    expect(await file.read()).toEqual({ n: 19 });
  });
});

describe('reading a store file', () => {
  it('is null when the file does not exist', async () => {
    expect(await readJsonFile(join(dir, 'missing.json'))).toBeNull();
  });

  it('refuses an empty, truncated, non-JSON or non-UTF-8 file with an error naming it', async () => {
    const path = join(dir, 'store.json');
    for (const bytes of [Buffer.alloc(0), Buffer.from('{"keys":{"a"'), Buffer.from('not json'), Buffer.from([0x22, 0xff, 0x22])]) {
      await writeFile(path, bytes);
      const err = await readJsonFile(path).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(StoreFileError);
      expect((err as StoreFileError).path).toBe(path);
      expect((err as StoreFileError).message).toMatch(new RegExp(`^${path}: the file (is empty|is truncated or is not valid JSON).*refusing to start`));
    }
  });
});
