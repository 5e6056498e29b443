// Small filesystem helpers shared by the filesystem backend.
import { randomFillSync } from 'node:crypto';
import { close, fsync, open, read, write } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { promisify } from 'node:util';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

export function isErrno(err: unknown, ...codes: string[]): boolean {
  const code = errnoCode(err);
  return code !== undefined && codes.includes(code);
}

const NAME_BYTES = 16;
// Every PUT takes two names (its temp file and its record's); a randomBytes() call each costs
// over ten times a slice of a pool filled a few hundred names at a time. The names are not
// secrets, only unique: 128 random bits each.
const namePool = Buffer.allocUnsafe(NAME_BYTES * 256);
let namePoolOffset = namePool.length;

/** Random lowercase hex name (32 digits) for temp and data files. */
export function uniqueName(): string {
  if (namePoolOffset === namePool.length) {
    randomFillSync(namePool);
    namePoolOffset = 0;
  }
  const name = namePool.toString('hex', namePoolOffset, namePoolOffset + NAME_BYTES);
  namePoolOffset += NAME_BYTES;
  return name;
}

// The helpers below run on every PUT and GET, so they use plain descriptors: a fs/promises
// FileHandle (an EventEmitter with its own close tracking) costs about twice the main-thread
// CPU of the same open, write, fsync and close on a number.
const openFd = promisify(open);
const closeFd = promisify(close);
const fsyncFd = promisify(fsync);
const readFd = promisify(read);
const writeFd = promisify(write);

/** Makes a rename or unlink in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = await openFd(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

/**
 * Makes an unlink in `dir` durable even if `dir` was pruned meanwhile (it was empty, so it
 * went with the entry): then the removal to make durable is the prune's, in the nearest
 * ancestor still there. `top` (inclusive) is never pruned; past it the error stands.
 */
export async function fsyncDirOrAncestor(dir: string, top: string, sync: (dir: string) => Promise<void> = fsyncDir): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    try {
      return await sync(current);
    } catch (err) {
      const inside = relative(top, current);
      if (!isErrno(err, 'ENOENT') || inside === '' || inside.startsWith('..')) throw err;
    }
  }
}

/**
 * Writes a new file and fsyncs it before returning. Never an existing one, unless `reuse`
 * says the file at `path` is ours to empty and fill (a spare record, fs-spare-records.ts).
 */
export async function writeFileSynced(path: string, bytes: Buffer, reuse = false): Promise<void> {
  const fd = await openFd(path, reuse ? 'w' : 'wx', FILE_MODE);
  try {
    for (let written = 0; written < bytes.length; ) {
      written += (await writeFd(fd, bytes, written, bytes.length - written, null)).bytesWritten;
    }
    await fsyncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

/** First read's size: a record (a few hundred bytes to a few KiB) fits in one read. */
export const SMALL_READ = 16 * 1024;

/**
 * A whole small file in open, read, close: readFile() adds an fstat for the size and a last
 * read to see the end. A short read of a regular file is its end (no writer: records are
 * renamed into place whole), so only a file that fills the buffer reads on: up to the bytes
 * `enough` says suffice (judged from what was read: a record's lengths), or to the end.
 */
export async function readSmallFile(path: string, enough?: (prefix: Buffer) => number | null): Promise<Buffer> {
  const fd = await openFd(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(SMALL_READ);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await readFd(fd, buffer, filled, buffer.length - filled, filled);
      filled += bytesRead;
      if (bytesRead === 0 || filled < buffer.length) return buffer.subarray(0, filled);
      const wanted = enough?.(buffer) ?? null;
      if (wanted !== null && wanted <= filled) return buffer.subarray(0, wanted);
      const grown = Buffer.allocUnsafe(wanted ?? buffer.length * 2);
      buffer.copy(grown);
      buffer = grown;
    }
  } finally {
    await closeFd(fd);
  }
}

/** readSmallFile(), with a missing file (a key that is not there, or went meanwhile) as null. */
export async function readSmallFileOrNull(path: string, enough?: (prefix: Buffer) => number | null): Promise<Buffer | null> {
  try {
    return await readSmallFile(path, enough);
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return null;
    throw err;
  }
}

/** Directory entries, or none if the directory is gone (pruned or deleted meanwhile). */
export async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return [];
    throw err;
  }
}
