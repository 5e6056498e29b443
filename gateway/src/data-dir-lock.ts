/**
 * One gateway process per data directory: two processes writing the same keystore and
 * objects would each overwrite what the other committed.
 *
 * The lock is the file `<dataDir>/kmsgate.lock`, holding its owner as one JSON line:
 *   { "pid": 1234, "started": "<start time of that pid>", "host": "<hostname>", "since": "<ISO time>" }
 *
 *   1. take:     write the record to a private temp file, fsync it, link() it to the lock
 *                name. link() fails with EEXIST when the name exists, so of two starters
 *                exactly one wins, and the lock file is never seen half written.
 *   2. in use:   when the owner's process is alive, refuse with DataDirInUseError.
 *   3. stale:    when it is gone (killed, crashed) or its pid now belongs to another
 *                process (a different start time), take over: under a guard file taken the
 *                same way, check that the lock still holds that dead owner, remove it and
 *                go back to 1. Two starters racing for one stale lock cannot both win.
 *   4. release:  on close, remove the lock if it still holds our record.
 *
 * A lock from another host (a shared filesystem) cannot be checked and counts as alive.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOCK_NAME = 'kmsgate.lock';
const GUARD_SUFFIX = '.takeover';
const ATTEMPTS = 200;
const RETRY_MS = 10;

interface LockOwner {
  pid: number;
  started?: string;
  host: string;
  since: string;
}

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Locks (and takeover guards) this process holds: tells our own live lock from a stale one. */
const heldHere = new Set<string>();

/** The kernel's start time of `pid` (Linux), so a reused pid is not taken for the owner. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces, so count from its closing ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (!Number.isSafeInteger(owner.pid) || typeof owner.host !== 'string') return undefined;
    return owner as LockOwner;
  } catch {
    return undefined;
  }
}

function isAlive(owner: LockOwner, lockPath: string): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return heldHere.has(lockPath);
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = startTimeOf(owner.pid);
  return owner.started === undefined || started === undefined || started === owner.started;
}

/** link() the record file to `name`; false when the name is taken. */
async function tryLink(recordFile: string, name: string): Promise<boolean> {
  try {
    await link(recordFile, name);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function removeIfExists(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/** Removes the stale lock whose text was `staleText`, if it still is; under the guard file. */
async function removeStale(lockPath: string, recordFile: string, staleText: string): Promise<void> {
  const guard = lockPath + GUARD_SUFFIX;
  if (!(await tryLink(recordFile, guard))) {
    // Another starter is taking over; if it died doing so, its guard is stale too.
    const guardOwner = parseOwner((await readIfExists(guard)) ?? '');
    if (guardOwner && !isAlive(guardOwner, guard)) await removeIfExists(guard);
    await sleep(RETRY_MS);
    return;
  }
  heldHere.add(guard);
  try {
    if ((await readIfExists(lockPath)) === staleText) await unlink(lockPath);
  } finally {
    heldHere.delete(guard);
    await removeIfExists(guard);
  }
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const lockPath = join(dataDir, LOCK_NAME);
  const record: LockOwner = { pid: process.pid, started: startTimeOf(process.pid), host: hostname(), since: new Date().toISOString() };
  const recordText = JSON.stringify(record) + '\n';
  const recordFile = `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}`;
  const file = await open(recordFile, 'wx', 0o600);
  try {
    await file.writeFile(recordText);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (await tryLink(recordFile, lockPath)) {
        heldHere.add(lockPath);
        return { path: lockPath, release: () => release(lockPath, recordText) };
      }
      const text = await readIfExists(lockPath);
      if (text === undefined) continue; // released meanwhile: try again
      const owner = parseOwner(text);
      if (!owner) throw new DataDirInUseError(`${lockPath} is not a kmsgate lock file; if no kmsgate uses ${dataDir}, remove it`);
      if (isAlive(owner, lockPath)) {
        const where = owner.host === hostname() ? `pid ${owner.pid}` : `pid ${owner.pid} on ${owner.host}`;
        throw new DataDirInUseError(`the data directory ${dataDir} is in use by another kmsgate (${where}, since ${owner.since}); stop that one first, or give this one another --data-dir`);
      }
      await removeStale(lockPath, recordFile, text);
    }
    throw new DataDirInUseError(`could not take the lock ${lockPath}: other processes keep taking it over`);
  } finally {
    await removeIfExists(recordFile);
  }
}

async function release(lockPath: string, recordText: string): Promise<void> {
  if (!heldHere.delete(lockPath)) return;
  // Only our own record: a lock someone took over after declaring ours stale is theirs.
  if ((await readIfExists(lockPath)) === recordText) await unlink(lockPath);
}
