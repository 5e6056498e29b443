import { describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirSyncer } from './fs-dir-sync.js';

/** An fsync stand-in that finishes only when told, and logs when each one started and ended. */
function heldFsyncs(): { fsync: (dir: string) => Promise<void>; log: string[]; finish: () => void } {
  const log: string[] = [];
  const pending: (() => void)[] = [];
  let n = 0;
  return {
    log,
    fsync: (dir) => {
      const id = ++n;
      log.push(`start ${id} ${dir}`);
      return new Promise<void>((resolve) => pending.push(() => { log.push(`end ${id}`); resolve(); }));
    },
    finish: () => pending.shift()?.(),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('folder fsync group commit', () => {
  it('makes each caller wait for an fsync that started after it called, shared by those who came meanwhile', async () => {
    const held = heldFsyncs();
    const syncer = new DirSyncer(held.fsync);
    const resolved: string[] = [];
    const call = (name: string): Promise<void> => syncer.sync('/d').then(() => void resolved.push(name));
    const a = call('a');
    await tick();
    // b, c and d come while fsync 1 runs: it may predate their changes, so they share fsync 2.
    const rest = [call('b'), call('c'), call('d')];
    await tick();
    expect(held.log).toEqual(['start 1 /d']);
    held.finish();
    await a;
    await tick();
    expect(resolved).toEqual(['a']);
    expect(held.log).toEqual(['start 1 /d', 'end 1', 'start 2 /d']);
    held.finish();
    await Promise.all(rest);
    expect(resolved.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(held.log.filter((l) => l.startsWith('start'))).toHaveLength(2);
  });

  it('keeps folders apart and starts afresh once idle', async () => {
    const held = heldFsyncs();
    const syncer = new DirSyncer(held.fsync);
    const both = [syncer.sync('/x'), syncer.sync('/y')];
    await tick();
    expect(held.log).toEqual(['start 1 /x', 'start 2 /y']);
    held.finish();
    held.finish();
    await Promise.all(both);
    const again = syncer.sync('/x');
    await tick();
    expect(held.log.at(-1)).toBe('start 3 /x');
    held.finish();
    await again;
  });

  it('hands an fsync failure to every caller that shared it', async () => {
    let calls = 0;
    const syncer = new DirSyncer(async () => {
      calls++;
      await tick();
      throw Object.assign(new Error('EIO'), { code: 'EIO' });
    });
    const results = await Promise.allSettled([syncer.sync('/d'), syncer.sync('/d'), syncer.sync('/d')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(calls).toBe(2);
  });

  it('fsyncs a real folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dir-sync-'));
    try {
      await Promise.all(Array.from({ length: 8 }, () => new DirSyncer().sync(dir)));
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
