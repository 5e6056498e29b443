import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, LOCK_NAME, lockDataDir } from './data-dir-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kmsgate-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

async function writeLock(owner: Record<string, unknown>): Promise<void> {
  await writeFile(join(dir, LOCK_NAME), JSON.stringify({ host: hostname(), since: '2020-01-01T00:00:00.000Z', ...owner }) + '\n');
}

async function lockOwnerPid(): Promise<number> {
  return (JSON.parse(await readFile(join(dir, LOCK_NAME), 'utf8')) as { pid: number }).pid;
}

describe('the data directory lock', () => {
  it('is held by one owner at a time, holds the pid privately, and is removed on release', async () => {
    const lock = await lockDataDir(dir);
    expect(await lockOwnerPid()).toBe(process.pid);
    expect((await stat(lock.path)).mode & 0o077).toBe(0);
    const refused = await lockDataDir(dir).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect(String(refused)).toContain(`in use by another kmsgate (pid ${process.pid}`);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    const again = await lockDataDir(dir);
    await again.release();
  });

  it('takes over the lock of a process that is gone, or whose pid now names another process', async () => {
    await writeLock({ pid: deadPid() });
    const lock = await lockDataDir(dir);
    expect(await lockOwnerPid()).toBe(process.pid);
    await lock.release();

    // The parent is alive, but it started at another time than the lock says: a reused pid.
    if (process.platform === 'linux') {
      await writeLock({ pid: process.ppid, started: '1' });
      const reused = await lockDataDir(dir);
      await reused.release();
    }
    // Our own pid, but not a lock this process holds (a container restarted as pid 1).
    await writeLock({ pid: process.pid, started: 'an earlier life' });
    const restarted = await lockDataDir(dir);
    await restarted.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a live owner, an owner on another host, and a file that is not a lock', async () => {
    await writeLock({ pid: process.ppid });
    await expect(lockDataDir(dir)).rejects.toThrow(`pid ${process.ppid}`);
    await writeLock({ pid: deadPid(), host: 'elsewhere.example' });
    await expect(lockDataDir(dir)).rejects.toThrow(/on elsewhere\.example/);
    await writeFile(join(dir, LOCK_NAME), 'garbage');
    await expect(lockDataDir(dir)).rejects.toThrow(/not a kmsgate lock file/);
    // Nothing of the attempts is left behind but the lock that was there.
    expect(await readdir(dir)).toEqual([LOCK_NAME]);
  });

  it('lets exactly one of several racing starters take over a stale lock', async () => {
    await writeLock({ pid: deadPid() });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => lockDataDir(dir)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DataDirInUseError);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof lockDataDir>>>).value.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('release leaves alone a lock that is no longer its own', async () => {
    const lock = await lockDataDir(dir);
    await writeLock({ pid: process.ppid });
    await lock.release();
    expect(await lockOwnerPid()).toBe(process.ppid);
  });
});
