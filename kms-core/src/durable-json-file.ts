/**
 * Files whose write, once awaited, survives a power cut: the keystore, the identity store,
 * the generated root key. lowdb's own writer renames a temp file without fsync, so after a
 * crash the new name can point at blocks that never reached the disk (an empty or torn file),
 * and a committed object could name a KMS key that is gone for good.
 *
 *   1. temp   = "<folder>/.<name>.tmp", created fresh (O_EXCL) with mode 0600: the bytes are
 *               never readable under the process umask, not even for a moment
 *   2. write the bytes to temp, fsync temp, close
 *   3. rename temp → path (or link, when an existing file must never be replaced), then
 *      fsync the folder so the new directory entry is durable too
 *
 * Reading refuses, with an error naming the file, anything that is not complete UTF-8 JSON:
 * a truncated store must stop the start, never be taken for an empty one.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, link, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { Adapter } from 'lowdb';
import { Mutex } from './mutex.js';

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** A store file that exists but cannot be used; `path` names it so the operator can act. */
export class StoreFileError extends Error {
  readonly path: string;

  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`${path}: ${problem}; refusing to start rather than lose what it holds (restore it from a backup)`, options);
    this.name = 'StoreFileError';
    this.path = path;
  }
}

/** The file-system calls a durable write makes, so a test can see their order. */
export interface DurableIo {
  open(path: string, flags: string, mode?: number): Promise<Pick<FileHandle, 'writeFile' | 'sync' | 'chmod' | 'close'>>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, created: string): Promise<void>;
  unlink(path: string): Promise<void>;
  syncFolder(path: string): Promise<void>;
}

async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export const nodeIo: DurableIo = { open, rename, link, unlink, syncFolder };

export interface DurableWriteOptions {
  /** Fail with EEXIST instead of replacing a file that is already there. */
  exclusive?: boolean;
  io?: DurableIo;
}

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

/** Writes `bytes` to `path` as steps 1–3 above; resolves only once they are on disk. */
export async function writeFileDurably(path: string, bytes: Buffer | string, opts: DurableWriteOptions = {}): Promise<void> {
  const io = opts.io ?? nodeIo;
  const folder = dirname(path);
  // A random suffix only for exclusive writes, which may race another process; otherwise the
  // fixed name means a temp file left by a crash is simply replaced by the next write.
  const temp = join(folder, `.${basename(path)}${opts.exclusive ? `.${randomBytes(6).toString('hex')}` : ''}.tmp`);
  await io.unlink(temp).catch((err: unknown) => {
    if (!isErrno(err, 'ENOENT')) throw err;
  });
  const handle = await io.open(temp, 'wx', FILE_MODE);
  try {
    try {
      // The umask can only clear bits of FILE_MODE; this restores any it cleared.
      await handle.chmod(FILE_MODE);
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (opts.exclusive) {
      await io.link(temp, path);
      await io.unlink(temp);
    } else {
      await io.rename(temp, path);
    }
  } catch (err) {
    await io.unlink(temp).catch(() => undefined);
    throw err;
  }
  await io.syncFolder(folder);
}

/**
 * `mkdir -p` with mode 0700 whose new folders survive a crash: each one created is made
 * durable in its parent before anything is written inside it.
 */
export async function makePrivateFolder(path: string, io: DurableIo = nodeIo): Promise<void> {
  const first = await mkdir(path, { recursive: true, mode: DIR_MODE });
  if (first === undefined) return;
  await io.syncFolder(dirname(first));
  let current = first;
  for (const part of relative(first, path).split(sep).filter((p) => p !== '')) {
    await io.syncFolder(current);
    current = join(current, part);
  }
}

/** Reads a store file: null when it does not exist; StoreFileError when it is not whole UTF-8 JSON. */
export async function readJsonFile(path: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw err;
  }
  if (bytes.length === 0) throw new StoreFileError(path, 'the file is empty (truncated by a crash?)');
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (err) {
    throw new StoreFileError(path, 'the file is truncated or is not valid JSON', { cause: err });
  }
}

/**
 * lowdb adapter over `readJsonFile` / `writeFileDurably`. Writes run one at a time, in call
 * order, so the file always ends with the last document written. `read` returns the parsed
 * JSON unchecked: the owner validates its shape and names the file when it is wrong.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  readonly path: string;
  readonly #writes = new Mutex();

  constructor(path: string) {
    this.path = path;
  }

  async read(): Promise<T | null> {
    return (await readJsonFile(this.path)) as T | null;
  }

  write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    return this.#writes.run(() => writeFileDurably(this.path, text));
  }
}
